"""Activations and losses: every form of each agrees (numpy, one float, finite differences),
they stay finite at extreme inputs, and the fused forms are exact."""

import numpy as np
import pytest

from app.engine.compiled import MATH
from app.engine.functions import ACTIVATIONS, EPS, FUSED, LOSSES, output_terms_and_delta

EXTREME = np.array([[-1e4, -800.0, -30.0, 0.0, 30.0, 800.0, 1e4]])
ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if act.prime is not None]
Z = np.array([np.concatenate([np.linspace(-8, 8, 41), [-1e4, -750.0, -40.0, 40.0, 750.0, 1e4]])])
KINKS = {0.0}  # where a derivative jumps (ReLU's, ELU's second): no finite difference there


def scalar(expression: str, **values) -> float:
    """A `scalar` form evaluated for one float, as the compiled code does."""
    return eval(expression.format(**{k: repr(float(v)) for k, v in values.items()}), dict(MATH))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_stay_finite_without_warnings_for_z_up_to_1e4(name):
    # pytest turns any numpy overflow warning into an error
    act = ACTIVATIONS[name]
    a = act.f(EXTREME, np.empty_like(EXTREME))
    assert np.isfinite(a).all()
    delta = act.backward(EXTREME, a, np.ones_like(a), np.empty_like(a))
    assert np.isfinite(delta).all()


def test_sigmoid_saturates_to_its_limits():
    a = ACTIVATIONS["sigmoid"].f(EXTREME, np.empty_like(EXTREME))
    assert a[0, 0] < 1e-300 and a[0, -1] == 1.0 and a[0, 3] == 0.5


def test_softmax_rows_sum_to_one_even_for_huge_z():
    a = ACTIVATIONS["softmax"].f(EXTREME, np.empty_like(EXTREME))
    assert a.sum() == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize(
    ("activation", "loss"),
    [
        ("sigmoid", "binary_cross_entropy"),
        ("softmax", "cross_entropy"),
        ("sigmoid", "cross_entropy"),
    ],
)
def test_saturated_outputs_give_finite_losses_and_deltas(activation, loss):
    z = np.array([[-1e4, 1e4]])
    a = ACTIVATIONS[activation].f(z, np.empty_like(z))
    y = np.array([[1.0, 0.0]])
    terms, grad_a, delta = output_terms_and_delta(activation, loss, z, a, y)
    assert np.isfinite(terms).all() and np.isfinite(grad_a).all() and np.isfinite(delta).all()


def test_fused_forms_take_logs_from_z_so_the_loss_is_exact_where_a_clip_would_cap_it():
    z = np.array([[-100.0]])  # sigmoid(-100) = 3.7e-44, far below EPS
    a = ACTIVATIONS["sigmoid"].f(z, np.empty_like(z))
    terms, _, delta = output_terms_and_delta(
        "sigmoid", "binary_cross_entropy", z, a, np.ones((1, 1))
    )
    assert terms[0, 0] == pytest.approx(100.0, rel=1e-12)  # -log sigmoid(-100)
    assert delta[0, 0] == pytest.approx(-1.0)  # a - y


def test_other_pairs_clip_the_log_at_eps():
    z = np.array([[0.0, 0.0]])
    a = np.array([[0.0, 1.0]])  # a linear output at exactly 0 and 1
    terms, _, _ = output_terms_and_delta(
        "linear", "binary_cross_entropy", z, a, np.array([[1.0, 0.0]])
    )
    assert terms == pytest.approx(-np.log(EPS) * np.ones((1, 2)), rel=1e-5)  # about 27.6, not inf


def test_relu_and_leaky_relu_derivatives():
    z = np.array([[-2.0, 0.0, 3.0]])
    for name, slope in (("relu", 0.0), ("leaky_relu", 0.01)):
        act = ACTIVATIONS[name]
        a = act.f(z, np.empty_like(z))
        assert a.tolist() == [[-2.0 * slope, 0.0, 3.0]]
        assert act.prime(z, a, np.empty_like(z)).tolist() == [[slope, slope, 1.0]]


@pytest.mark.parametrize("name", [n for n, act in ACTIVATIONS.items() if act.scalar])
def test_the_scalar_forms_equal_numpy_even_at_1e4(name):
    act = ACTIVATIONS[name]
    a = act.f(Z, np.empty_like(Z))
    prime = act.prime(Z, a, np.empty_like(Z))
    f_code, prime_code = act.scalar
    for z, a_value, p_value in zip(Z[0], a[0], prime[0]):  # and no OverflowError
        assert scalar(f_code, z=z) == pytest.approx(a_value, rel=1e-14, abs=1e-300)
        assert scalar(prime_code, z=z, a=a_value) == pytest.approx(p_value, rel=1e-14, abs=1e-300)


@pytest.mark.parametrize("name", list(LOSSES))
def test_the_scalar_loss_forms_equal_numpy(name):
    a = np.linspace(-2.5, 3.5, 25).reshape(-1, 1) * np.ones((1, 3))
    y = np.full_like(a, 0.3)
    terms, grad_a = LOSSES[name].terms_and_grad(a, y)
    term_code, grad_code = LOSSES[name].scalar
    for a_value, t_value, g_value in zip(a[:, 0], terms[:, 0], grad_a[:, 0]):
        assert scalar(term_code, a=a_value, y=0.3, n=3) == pytest.approx(t_value, rel=1e-14)
        assert scalar(grad_code, a=a_value, y=0.3, n=3) == pytest.approx(g_value, rel=1e-14)


def test_the_scalar_fused_forms_equal_numpy():
    for (activation, _), fused in FUSED.items():
        if fused.scalar is None:
            continue
        z = Z.reshape(-1, 1)
        a = ACTIVATIONS[activation].f(z, np.empty_like(z))
        y = np.full_like(z, 0.3)
        terms, _, delta = fused.terms_grad_delta(z, a, y)
        term_code, delta_code = fused.scalar
        for z_value, a_value, t_value, d_value in zip(z[:, 0], a[:, 0], terms[:, 0], delta[:, 0]):
            assert scalar(term_code, z=z_value, y=0.3) == pytest.approx(t_value, rel=1e-14)
            assert scalar(delta_code, a=a_value, y=0.3) == pytest.approx(d_value, rel=1e-14)


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_each_derivative_is_the_slope_of_its_function(name):
    act = ACTIVATIONS[name]
    z = np.array([[v for v in np.linspace(-8, 8, 41) if all(abs(v - k) > 1e-3 for k in KINKS)]])

    def f(values):
        return act.f(values, np.empty_like(values))

    prime = act.prime(z, f(z), np.empty_like(z))
    np.testing.assert_allclose(prime, central(f, z), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", list(LOSSES))
def test_each_loss_gradient_is_the_slope_of_its_terms(name):
    a = np.array([np.linspace(0.05, 0.95, 19)])
    if name not in ("cross_entropy", "binary_cross_entropy"):
        a = np.concatenate([a, np.array([np.linspace(-2.45, 3.45, 19)])])  # Huber's both sides
    y = np.full_like(a, 0.4)
    _, grad_a = LOSSES[name].terms_and_grad(a, y)

    def terms(values):
        return LOSSES[name].terms_and_grad(values, y)[0]

    np.testing.assert_allclose(grad_a, central(terms, a), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("activation", "loss"), list(FUSED))
def test_each_fused_delta_is_the_slope_of_its_loss_in_z(activation, loss):
    rng = np.random.default_rng(4)
    z, y = rng.uniform(-4, 4, (3, 4)), rng.uniform(0, 1, (3, 4))
    act, fused = ACTIVATIONS[activation], FUSED[activation, loss]

    def sample_losses(values):
        terms, _, _ = fused.terms_grad_delta(values, act.f(values, np.empty_like(values)), y)
        return terms.sum(axis=1)

    _, _, delta = fused.terms_grad_delta(z, act.f(z, np.empty_like(z)), y)
    for j in range(4):
        step = np.zeros_like(z)
        step[:, j] = 1e-6
        slope = (sample_losses(z + step) - sample_losses(z - step)) / 2e-6
        np.testing.assert_allclose(delta[:, j], slope, rtol=1e-6, atol=1e-9)


def test_huber_is_quadratic_within_1_and_linear_beyond():
    a = np.array([[0.5, 1.0, 3.0, -2.0]])
    terms, grad_a = LOSSES["huber"].terms_and_grad(a, np.zeros_like(a))
    assert terms.tolist() == [[0.125, 0.5, 2.5, 1.5]]
    assert grad_a.tolist() == [[0.5, 1.0, 1.0, -1.0]]
    far, _ = LOSSES["huber"].terms_and_grad(np.array([[1e300]]), np.zeros((1, 1)))
    assert far.tolist() == [[1e300]]  # no (a - y)^2 that overflows
