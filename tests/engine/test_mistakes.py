"""Mistaken steps: the textbook step with one rule changed, and the 4-digit tolerance."""

import math
from decimal import ROUND_DOWN, Decimal

import numpy as np
import pytest

from app.engine.functions import ACTIVATIONS
from app.engine.mistakes import (
    MISTAKES,
    Mistake,
    NoValue,
    Question,
    Variant,
    agrees,
    check,
    mistaken_step,
    tolerance,
    value,
    variants,
)
from app.engine.network import Network, Optimizer, evaluate, init_params, step

MAZUR = Network(
    [2, 2, 2], ["sigmoid", "sigmoid"], "squared_error",
    [np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.40, 0.45], [0.50, 0.55]])],
    [np.array([0.35, 0.35]), np.array([0.60, 0.60])],
    train_biases=False,
)  # fmt: skip
X, Y = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
NO_MISTAKE = Variant(Mistake("none", "", ()))
FIELDS = ("z", "a", "delta", "grad_weights", "grad_biases", "new_weights", "new_biases")


@pytest.mark.parametrize(
    ("expected", "unit"),
    [
        (0.75136507, 1e-4), (-0.138498562, 1e-4), (0.000438568, 1e-7), (1234.5, 1.0),
        (1.0, 1e-3), (0.1, 1e-4), (0.09999999999999999, 1e-5), (1e-9, 1e-12),
        (3e-10, 1e-12), (2.7e-17, 1e-12), (0.0, 1e-12),
    ],
)  # fmt: skip
def test_the_tolerance_is_one_unit_in_the_4th_significant_digit(expected, unit):
    assert tolerance(expected) == pytest.approx(unit, rel=1e-12)


def test_answers_rounded_or_truncated_to_4_digits_agree_and_one_unit_more_does_not():
    rng = np.random.default_rng(12)
    for value_ in rng.uniform(1, 10, 2000) * 10.0 ** rng.integers(-8, 8, 2000) * rng.choice([-1, 1], 2000):  # fmt: skip
        value_ = float(value_)
        rounded = float(f"{value_:.3e}")
        cut = float(Decimal(repr(value_)).quantize(Decimal(f"{rounded:.3e}"), rounding=ROUND_DOWN))
        assert agrees(rounded, value_) and agrees(cut, value_), value_
        unit = 10.0 ** (math.floor(math.log10(abs(value_))) - 3)
        further = math.copysign(1.0, value_) * 1.000001 * unit  # one unit and a bit past it
        assert not agrees(cut - further, value_) and not agrees(value_ + further, value_)


def test_at_and_near_0_a_value_that_is_0_up_to_rounding_takes_0():
    assert agrees(0.0, 0.0) and agrees(0.0, 3e-17) and agrees(3e-17, 0.0)
    assert not agrees(1e-6, 0.0) and not agrees(0.0, 1.234e-9)
    assert agrees(1.234e-9, 1.2345e-9)


def networks():
    """Every hidden activation of the table, under outputs with the losses they take."""
    for hidden in (name for name in ACTIVATIONS if name != "softmax"):
        for output, loss in [
            ("sigmoid", "squared_error"), ("tanh", "mse"), ("softmax", "cross_entropy"),
            ("sigmoid", "binary_cross_entropy"), ("linear", "squared_error"),
            ("leaky_relu", "mse"), ("softmax", "squared_error"), ("relu", "mse"),
        ]:  # fmt: skip
            yield hidden, output, loss


@pytest.mark.parametrize(("hidden", "output", "loss"), list(networks()))
def test_without_a_mistake_the_pass_is_the_textbook_step(hidden, output, loss):
    rng = np.random.default_rng(3)
    sizes = [3, 4, 3, 3]
    weights, _ = init_params(sizes, "he", seed=5)
    biases = [rng.normal(0, 0.3, n) for n in sizes[1:]]
    net = Network(sizes, [hidden, hidden, output], loss, weights, biases)
    x = rng.normal(0, 1, (3, 3))
    y = rng.dirichlet(np.ones(3), 3) if output == "softmax" else rng.uniform(0.1, 0.9, (3, 3))
    velocity = [(rng.normal(0, 0.1, w.shape), rng.normal(0, 0.1, b.shape)) for w, b in zip(weights, biases)]  # fmt: skip
    optimizer = Optimizer(0.3, momentum=0.9, l1=0.01, l2=0.02)
    right = step(net, x, y, optimizer, velocity)
    plain = mistaken_step(net, x, y, optimizer, velocity, NO_MISTAKE)
    assert plain.loss == pytest.approx(right.loss, rel=1e-14)
    np.testing.assert_allclose(plain.output_losses, right.output_losses, rtol=1e-14)
    for ours, theirs in zip(plain.layers, right.layers):
        for field in FIELDS:
            np.testing.assert_allclose(getattr(ours, field), getattr(theirs, field), rtol=1e-13, atol=1e-15, err_msg=field)  # fmt: skip


def test_updated_weights_at_every_layer_is_the_worked_examples_script():
    """The README's 0.291027924: the post's script back-propagates through the updated w5..w8."""
    everywhere = next(v for v in variants(MAZUR, 1, "new_weights", 0) if v.mistake.id == "used_updated_weights")  # fmt: skip
    mistaken = mistaken_step(MAZUR, X, Y, Optimizer(0.5), None, everywhere)
    after = Network(
        MAZUR.layer_sizes, MAZUR.activations, MAZUR.loss,
        [layer.new_weights for layer in mistaken.layers], MAZUR.biases,
    )  # fmt: skip
    assert round(evaluate(after, X, Y).loss, 9) == 0.291027924
    right = step(MAZUR, X, Y, Optimizer(0.5))
    np.testing.assert_array_equal(mistaken.layers[1].new_weights, right.layers[1].new_weights)


def test_only_mistakes_that_can_change_the_asked_number_are_tried():
    ids = lambda *args: {v.mistake.id for v in variants(*args)}  # noqa: E731
    forward = {m.id for m in MISTAKES if "z" in m.changes}
    assert ids(MAZUR, 1, "z", 0) <= forward and ids(MAZUR, 1, "a", 1) <= forward
    assert all(max(v.layers) <= 0 for v in variants(MAZUR, 1, "z", 0))  # the forward pass goes up
    assert "sum_not_mean" not in ids(MAZUR, 1, "grad_weights", 0)  # one sample: sum = mean
    assert "sum_not_mean" in ids(MAZUR, 2, "grad_weights", 0)
    assert {"sign_flipped", "forgot_learning_rate"} <= ids(MAZUR, 1, "new_weights", 1)
    assert not {"sign_flipped", "bias_times_input"} & ids(MAZUR, 1, "grad_weights", 1)
    # the output layer's delta: no hidden-layer mistake, nothing at the hidden layer
    assert not {"used_updated_weights", "one_path_only"} & ids(MAZUR, 1, "delta", 1)
    backward = [v for v in variants(MAZUR, 1, "delta", 1) if "z" not in v.mistake.changes]
    assert backward and all(v.layers <= {1} for v in backward)  # the backward pass comes down
    assert not {"softmax_derivative_elementwise", "log_base_10", "assumed_one_hot", "missing_minus_sign", "leaky_as_relu"} & ids(MAZUR, 2, "delta", 0)  # fmt: skip
    softmax = Network([2, 3, 3], ["tanh", "softmax"], "cross_entropy", [], [])
    assert {"softmax_derivative_elementwise", "assumed_one_hot", "missing_minus_sign", "sigmoid_derivative_for_tanh"} <= ids(softmax, 1, "delta", 0)  # fmt: skip
    assert not {"missing_half", "target_minus_output"} & ids(softmax, 1, "delta", 0)
    assert ids(softmax, 1, "loss", None) == {"log_base_10", "skipped_activation", "forgot_bias"}


def test_check_names_the_first_mistake_that_gives_the_answer_and_only_when_wrong():
    q = Question("delta", 1, 0)
    right = check(MAZUR, X, Y, Optimizer(0.5), None, q, 0.1385)
    assert right.correct and right.mistake is None
    assert right.expected == pytest.approx(0.138498562, abs=1e-9) and right.tolerance == pytest.approx(1e-4)  # fmt: skip
    wrong = check(MAZUR, X, Y, Optimizer(0.5), None, q, 0.7414)
    assert not wrong.correct and wrong.mistake.id == "forgot_activation_derivative"
    revealed = check(MAZUR, X, Y, Optimizer(0.5), None, q, None)
    assert not revealed.correct and revealed.mistake is None


def test_a_number_that_overflows_has_no_value_to_check():
    net = Network([1, 1], ["linear"], "squared_error", [np.array([[1.0]])], [np.array([0.0])])
    x, y = np.array([[1e154]]), np.array([[0.0]])
    with pytest.raises(NoValue, match="diverges"):
        check(net, x, y, Optimizer(10.0), None, Question("new_weights", 0, (0, 0)), 1.0)
    assert value(step(net, x, y, Optimizer(10.0)), Question("z", 0, 0)) == 1e154
