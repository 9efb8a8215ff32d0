"""POST /api/v1/check: a student's number is right to 4 significant digits, or a known
mistake is named. Every mistaken number here is computed by hand, as the student would."""

import math

import numpy as np
import pytest

from app.api.check_schemas import CheckRequest
from app.config import get_settings
from app.engine.mistakes import MISTAKE_IDS


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def typed(value: float) -> float:
    """What a student types: the value rounded to 4 significant digits."""
    return float(f"{value:.4g}")


def truncated(value: float) -> float:
    """The value cut (not rounded) after 4 significant digits."""
    unit = 10.0 ** (math.floor(math.log10(abs(value))) - 3)
    return math.trunc(value / unit) * unit


def check(client, body, **question):
    return client.post("/api/v1/check", json={**body, **question})


# The worked example by hand (Mazur): one sample, sigmoid, squared error, eta = 0.5
X, Y = np.array([0.05, 0.10]), np.array([0.01, 0.99])
W1, B1 = np.array([[0.15, 0.20], [0.25, 0.30]]), 0.35
W2, B2 = np.array([[0.40, 0.45], [0.50, 0.55]]), 0.60
ETA = 0.5
Z1 = W1 @ X + B1
H = sigmoid(Z1)
Z2 = W2 @ H + B2
O = sigmoid(Z2)
D2 = (O - Y) * O * (1 - O)  # delta = dE/da * f'(z), f'(z) = a (1 - a)
BACK = W2.T @ D2  # dE/da of the hidden layer, every path
D1 = BACK * H * (1 - H)
GW2, GW1 = np.outer(D2, H), np.outer(D1, X)

# (id, quantity, layer, index, the number the mistake gives)
MAZUR_MISTAKES = [
    ("sign_flipped", "new_weights", 1, [0, 0], W2[0, 0] + ETA * GW2[0, 0]),
    ("forgot_learning_rate", "new_weights", 0, [1, 0], W1[1, 0] - GW1[1, 0]),
    ("bias_times_input", "grad_biases", 0, 0, D1[0] * X[0]),
    ("bias_times_input", "grad_biases", 1, 1, D2[1] * H[0]),
    # the hidden deltas through the weights as Mazur's script has them: updated already
    ("used_updated_weights", "delta", 0, 0, ((W2 - ETA * GW2).T @ D2 * H * (1 - H))[0]),
    ("used_updated_weights", "grad_weights", 0, [0, 0],
     ((W2 - ETA * GW2).T @ D2 * H * (1 - H))[0] * X[0]),
    ("one_path_only", "delta", 0, 0, W2[0, 0] * D2[0] * H[0] * (1 - H[0])),  # through o1 only
    ("one_path_only", "grad_weights", 0, [1, 1], W2[1, 1] * D2[1] * H[1] * (1 - H[1]) * X[1]),
    ("z_in_place_of_a", "delta", 1, 0, (O - Y)[0] * Z2[0] * (1 - Z2[0])),
    ("derivative_of_a", "delta", 1, 0, (O - Y)[0] * sigmoid(O[0]) * (1 - sigmoid(O[0]))),
    ("forgot_activation_derivative", "delta", 1, 0, (O - Y)[0]),  # the post's dE/dout_o1
    ("forgot_activation_derivative", "delta", 0, 0, BACK[0]),  # the post's dE/dout_h1
    # forgot at the output only: the hidden delta and its gradient carry the mistake down
    ("forgot_activation_derivative", "grad_weights", 0, [0, 0],
     (W2.T @ (O - Y) * H * (1 - H))[0] * X[0]),
    ("target_minus_output", "delta", 1, 0, -D2[0]),
    ("target_minus_output", "grad_weights", 0, [0, 1], -GW1[0, 1]),
    ("missing_half", "delta", 1, 1, 2 * D2[1]),
    ("missing_half", "loss", None, None, np.sum((O - Y) ** 2)),
    ("missing_half", "output_losses", None, 0, (O[0] - Y[0]) ** 2),
    ("skipped_activation", "a", 1, 0, Z2[0]),  # the post's net_o1
    ("skipped_activation", "z", 1, 1, (W2 @ Z1 + B2)[1]),
    ("forgot_bias", "z", 0, 0, (W1 @ X)[0]),
    ("forgot_bias", "a", 1, 1, sigmoid(W2 @ H)[1]),
    ("forgot_bias", "loss", None, None, 0.5 * np.sum((sigmoid(W2 @ sigmoid(W1 @ X)) - Y) ** 2)),
]  # fmt: skip


@pytest.mark.parametrize(("mistake", "quantity", "layer", "index", "number"), MAZUR_MISTAKES)
def test_each_mistake_on_the_worked_example_is_named(
    client, mazur_step, mistake, quantity, layer, index, number
):
    question = {"quantity": quantity, "layer": layer, "index": index, "answer": typed(number)}
    r = check(client, mazur_step, **{k: v for k, v in question.items() if v is not None})
    assert r.status_code == 200
    body = r.json()
    assert body["correct"] is False
    assert "expected" not in body  # never revealed to a wrong answer
    assert body["misconception"]["id"] == mistake
    assert body["misconception"]["message"]


@pytest.mark.parametrize(
    ("quantity", "layer", "index", "published"),
    [
        ("z", 0, 0, 0.3775),  # net_h1
        ("a", 1, 0, 0.75136507),  # out_o1
        ("loss", None, None, 0.298371109),  # E_total
        ("delta", 1, 0, 0.138498562),
        ("grad_weights", 1, [0, 0], 0.082167041),  # dE/dw5
        ("grad_weights", 0, [0, 0], 0.000438568),  # dE/dw1
        ("new_weights", 1, [0, 0], 0.35891648),  # w5
        ("new_weights", 0, [0, 0], 0.149780716),  # w1
        ("new_weights", 1, [1, 1], 0.561370121),  # w8
        ("new_biases", 0, 1, 0.35),  # not trained in the example
    ],
)
def test_the_published_numbers_rounded_or_truncated_are_right(
    client, mazur_step, quantity, layer, index, published
):
    question = {k: v for k, v in {"layer": layer, "index": index}.items() if v is not None}
    for answer in (typed(published), truncated(published), published):
        r = check(client, mazur_step, quantity=quantity, answer=answer, **question)
        assert r.status_code == 200
        body = r.json()
        assert body["correct"] is True, answer
        assert body["misconception"] is None
        unit = 10.0 ** (math.floor(math.log10(abs(published))) - 3)
        assert body["tolerance"] == pytest.approx(unit, rel=1e-12)
        assert abs(body["expected"] - published) <= 0.5 * 10 ** -(len(repr(published)) - 2)


def test_one_unit_off_in_the_4th_digit_is_wrong_and_not_revealed(client, mazur_step):
    # out_o1 = 0.75136507: 0.7514 (rounded) and 0.7513 (truncated) are right, 0.7512 is not
    r = check(client, mazur_step, quantity="a", layer=1, index=0, answer=0.7512)
    assert r.status_code == 200
    assert r.json() == {"correct": False, "tolerance": pytest.approx(1e-4), "misconception": None}
    r = check(client, mazur_step, quantity="a", layer=1, index=0, answer=0.7515)
    assert r.status_code == 200
    assert r.json()["correct"] is False


def test_reveal_gives_the_number_to_a_wrong_answer_and_without_one(client, mazur_step):
    r = check(client, mazur_step, quantity="delta", layer=1, index=0, answer=0.7414, reveal=True)
    assert r.status_code == 200
    body = r.json()
    assert body["correct"] is False
    assert body["expected"] == pytest.approx(0.138498562, abs=1e-9)
    assert body["misconception"]["id"] == "forgot_activation_derivative"
    r = check(client, mazur_step, quantity="grad_weights", layer=1, index=[0, 0], reveal=True)
    assert r.status_code == 200
    body = r.json()
    assert body == {
        "correct": False, "expected": pytest.approx(0.082167041, abs=1e-9),
        "tolerance": pytest.approx(1e-5), "misconception": None,
    }  # fmt: skip


def test_a_wrong_answer_no_known_mistake_gives_names_none(client, mazur_step):
    r = check(client, mazur_step, quantity="delta", layer=0, index=0, answer=0.5)
    assert r.status_code == 200
    assert r.json()["misconception"] is None


def test_output_losses_belong_to_the_output_layer_named_or_not(client, mazur_step):
    term = 0.5 * (O[1] - Y[1]) ** 2
    for layer in ({}, {"layer": 1}):
        r = check(
            client, mazur_step, quantity="output_losses", index=1, answer=typed(term), **layer
        )
        assert r.status_code == 200
        assert r.json()["correct"] is True


# --- a batch of two samples --------------------------------------------------------------

X2 = np.array([[0.05, 0.10], [0.10, 0.05]])
Y2 = np.array([[0.01, 0.99], [0.99, 0.01]])


@pytest.fixture
def batch_of_two(mazur_step) -> dict:
    return {**mazur_step, "inputs": X2.tolist(), "targets": Y2.tolist()}


def by_hand_batch():
    """Per-sample deltas of the output layer and the batch gradient of w5 (the mean)."""
    h = sigmoid(X2 @ W1.T + B1)
    o = sigmoid(h @ W2.T + B2)
    d2 = (o - Y2) * o * (1 - o)
    return h, o, d2, (d2[:, 0] * h[:, 0]).mean()


def test_sum_not_mean_on_a_batch_of_two(client, batch_of_two):
    h, o, d2, mean = by_hand_batch()
    summed = (d2[:, 0] * h[:, 0]).sum()
    r = check(client, batch_of_two, quantity="grad_weights", layer=1, index=[0, 0], answer=typed(summed))  # fmt: skip
    assert r.status_code == 200
    assert r.json()["misconception"]["id"] == "sum_not_mean"
    r = check(client, batch_of_two, quantity="grad_weights", layer=1, index=[0, 0], answer=typed(mean))  # fmt: skip
    assert r.json()["correct"] is True
    total = 0.5 * np.sum((o - Y2) ** 2)  # the loss summed over the samples, not their mean
    r = check(client, batch_of_two, quantity="loss", answer=typed(total))
    assert r.status_code == 200
    assert r.json()["misconception"]["id"] == "sum_not_mean"
    # a per-sample number is the sample's own
    r = check(client, batch_of_two, quantity="delta", layer=1, index=0, sample=1, answer=typed(d2[1, 0]))  # fmt: skip
    assert r.json()["correct"] is True


def test_ambiguous_answers_name_the_mistake_nearest_the_asked_number(client, mazur_step, batch_of_two):  # fmt: skip
    """Some mistakes give the same number; the one in the asked number's own formula wins."""
    # w5 + eta dE/dw5: the update's sign, or y - a in the output delta
    assert W2[0, 0] + ETA * GW2[0, 0] == pytest.approx(W2[0, 0] - ETA * (-GW2[0, 0]))
    r = check(client, mazur_step, quantity="new_weights", layer=1, index=[0, 0], answer=typed(W2[0, 0] + ETA * GW2[0, 0]))  # fmt: skip
    assert r.json()["misconception"]["id"] == "sign_flipped"
    # w5 - dE/dw5: no learning rate, or 2(a - y) with eta = 0.5
    assert W2[0, 0] - GW2[0, 0] == pytest.approx(W2[0, 0] - ETA * 2 * GW2[0, 0])
    r = check(client, mazur_step, quantity="new_weights", layer=1, index=[0, 0], answer=typed(W2[0, 0] - GW2[0, 0]))  # fmt: skip
    assert r.json()["misconception"]["id"] == "forgot_learning_rate"
    # over two samples: twice the mean gradient is their sum, and also 2(a - y)
    _, o, _, mean = by_hand_batch()
    r = check(client, batch_of_two, quantity="grad_weights", layer=1, index=[0, 0], answer=typed(2 * mean))  # fmt: skip
    assert r.json()["misconception"]["id"] == "sum_not_mean"
    r = check(client, batch_of_two, quantity="loss", answer=typed(np.sum((o - Y2) ** 2) / 2))
    assert r.json()["misconception"]["id"] == "sum_not_mean"
    # w5 - eta * sum = w5 - mean when eta = 1/2 and there are 2 samples
    r = check(client, batch_of_two, quantity="new_weights", layer=1, index=[0, 0], answer=typed(W2[0, 0] - mean))  # fmt: skip
    assert r.json()["misconception"]["id"] == "forgot_learning_rate"


# --- softmax, cross-entropy and the other activations ---------------------------------------

SX = np.array([0.5, -0.2])
SW1 = np.array([[0.3, -0.6], [0.8, 0.2], [-0.4, 0.5]])
SB1 = np.array([0.1, -0.1, 0.2])
SW2 = np.array([[0.5, -0.3, 0.2], [-0.7, 0.4, 0.6], [0.1, 0.9, -0.5]])
SB2 = np.array([0.05, 0.0, -0.05])


def softmax_net(y, loss="cross_entropy") -> dict:
    net = {
        "layer_sizes": [2, 3, 3], "activations": ["tanh", "softmax"], "loss": loss,
        "weights": [SW1.tolist(), SW2.tolist()], "biases": [SB1.tolist(), SB2.tolist()],
    }  # fmt: skip
    return {"network": net, "inputs": [SX.tolist()], "targets": [list(y)], "learning_rate": 0.1}


S_Z1 = SW1 @ SX + SB1
S_H = np.tanh(S_Z1)
S_A = softmax(SW2 @ S_H + SB2)
ONE_HOT = np.array([0.0, 1.0, 0.0])
S_D2 = S_A - ONE_HOT  # softmax with cross-entropy: delta = a - y for one-hot targets
S_BACK = SW2.T @ S_D2

# (id, targets, quantity, layer, index, the number the mistake gives)
SOFTMAX_MISTAKES = [
    # dE/da * a(1 - a) = -y (1 - a): 0 where y = 0 (also what -y/a gives: the nearer wins)
    ("softmax_derivative_elementwise", ONE_HOT, "delta", 1, 0, 0.0),
    ("softmax_derivative_elementwise", ONE_HOT, "grad_biases", 1, 2, 0.0),
    ("forgot_activation_derivative", ONE_HOT, "delta", 1, 1, -1 / S_A[1]),  # -y/a, no Jacobian
    ("missing_minus_sign", ONE_HOT, "delta", 1, 2, (ONE_HOT - S_A)[2]),
    ("missing_minus_sign", ONE_HOT, "grad_weights", 1, [0, 1], (ONE_HOT - S_A)[0] * S_H[1]),
    ("log_base_10", ONE_HOT, "loss", None, None, -np.log10(S_A[1])),
    ("log_base_10", ONE_HOT, "output_losses", None, 1, -np.log10(S_A[1])),
    ("sigmoid_derivative_for_tanh", ONE_HOT, "delta", 0, 0, S_BACK[0] * S_H[0] * (1 - S_H[0])),
    ("z_in_place_of_a", ONE_HOT, "delta", 0, 1, S_BACK[1] * (1 - S_Z1[1] ** 2)),
    ("derivative_of_a", ONE_HOT, "delta", 0, 0, S_BACK[0] * (1 - np.tanh(S_H[0]) ** 2)),
    ("forgot_activation_derivative", ONE_HOT, "delta", 0, 0, S_BACK[0]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mistake", "targets", "quantity", "layer", "index", "number"), SOFTMAX_MISTAKES
)
def test_softmax_and_cross_entropy_mistakes(
    client, mistake, targets, quantity, layer, index, number
):
    body = softmax_net(targets)
    question = {k: v for k, v in {"layer": layer, "index": index}.items() if v is not None}
    r = check(client, body, quantity=quantity, answer=typed(number), **question)
    assert r.status_code == 200
    assert r.json()["correct"] is False
    assert r.json()["misconception"]["id"] == mistake


def test_softmax_elementwise_with_one_hot_targets_is_one_path_below(client):
    """-y (1 - a) keeps only the target's output: the hidden delta it gives is the one that
    comes back along that one path, and the nearer mistake (one_path_only) is named."""
    elementwise = -ONE_HOT * (1 - S_A)
    one_path = np.where(ONE_HOT == 1, S_D2, 0.0)  # a - y through output 1 alone
    assert elementwise == pytest.approx(one_path)
    hidden = (SW2.T @ elementwise)[2] * (1 - S_H[2] ** 2)
    r = check(client, softmax_net(ONE_HOT), quantity="delta", layer=0, index=2, answer=typed(hidden))  # fmt: skip
    assert r.status_code == 200
    assert r.json()["misconception"]["id"] == "one_path_only"


def test_softmax_with_cross_entropy_right_answers(client):
    body = softmax_net(ONE_HOT)
    for quantity, layer, index, right in [
        ("a", 1, 2, S_A[2]),
        ("delta", 1, 0, S_D2[0]),  # a - y
        ("delta", 0, 1, S_BACK[1] * (1 - S_H[1] ** 2)),
        ("loss", None, None, -np.log(S_A[1])),
    ]:
        question = {k: v for k, v in {"layer": layer, "index": index}.items() if v is not None}
        r = check(client, body, quantity=quantity, answer=typed(right), **question)
        assert r.status_code == 200
        assert r.json()["correct"] is True, quantity


def test_assumed_one_hot_when_the_targets_do_not_sum_to_1(client):
    y = np.array([0.2, 0.5, 0.1])
    right = S_A * y.sum() - y  # delta = a sum(y) - y
    body = softmax_net(y)
    r = check(client, body, quantity="delta", layer=1, index=0, answer=typed(right[0]))
    assert r.json()["correct"] is True
    r = check(client, body, quantity="delta", layer=1, index=0, answer=typed((S_A - y)[0]))
    assert r.status_code == 200
    assert r.json()["misconception"]["id"] == "assumed_one_hot"


def test_softmax_derivative_elementwise_with_squared_error(client):
    y = ONE_HOT
    g = S_A - y  # dE/da of squared error
    jacobian = S_A * (g - g @ S_A)  # the right delta, with the cross terms
    body = softmax_net(y, loss="squared_error")
    r = check(client, body, quantity="delta", layer=1, index=0, answer=typed(jacobian[0]))
    assert r.json()["correct"] is True
    elementwise = g * S_A * (1 - S_A)
    r = check(client, body, quantity="delta", layer=1, index=0, answer=typed(elementwise[0]))
    assert r.json()["misconception"]["id"] == "softmax_derivative_elementwise"


def test_sigmoid_with_binary_cross_entropy(client):
    w, b, x, y = [[0.7, -0.4]], [0.1], [0.6, 0.3], [1.0]
    a = sigmoid(0.7 * 0.6 - 0.4 * 0.3 + 0.1)
    net = {"layer_sizes": [2, 1], "activations": ["sigmoid"], "loss": "binary_cross_entropy",
           "weights": [w], "biases": [b]}  # fmt: skip
    body = {"network": net, "inputs": [x], "targets": [y], "learning_rate": 0.1}
    for answer, named in [
        (a - 1.0, None),  # delta = a - y: right
        (1.0 - a, "missing_minus_sign"),
        ((a - 1.0) / (a * (1 - a)), "forgot_activation_derivative"),  # dE/da alone
        (-np.log10(a), "log_base_10"),
    ]:
        quantity = "loss" if named == "log_base_10" else "delta"
        question = {} if quantity == "loss" else {"layer": 0, "index": 0}
        r = check(client, body, quantity=quantity, answer=typed(answer), **question)
        assert r.status_code == 200
        assert r.json()["correct"] is (named is None)
        assert (r.json()["misconception"] or {}).get("id") == named


def test_leaky_relu_taken_for_relu_and_a_dead_relu(client):
    # hidden neuron 0 has z = -0.5: leaky a = -0.005 and f' = 0.01; ReLU would give 0 and 0
    w1, w2 = [[-1.0], [0.5]], [[2.0, 1.0]]
    net = {"layer_sizes": [1, 2, 1], "activations": ["leaky_relu", "linear"],
           "loss": "squared_error", "weights": [w1, w2], "biases": [[0.0, 0.0], [0.0]]}  # fmt: skip
    body = {"network": net, "inputs": [[0.5]], "targets": [[1.0]], "learning_rate": 0.1}
    out = 2.0 * -0.005 + 1.0 * 0.25
    back = 2.0 * (out - 1.0)  # dE/da of hidden neuron 0
    for quantity, answer, named in [
        ("a", -0.005, None),
        ("a", 0.0, "leaky_as_relu"),
        ("delta", back * 0.01, None),
        ("delta", 0.0, "leaky_as_relu"),
        ("delta", back, "forgot_activation_derivative"),
    ]:
        r = check(client, body, quantity=quantity, layer=0, index=0, answer=typed(answer))
        assert r.status_code == 200
        assert (r.json()["misconception"] or {}).get("id") == named, (quantity, answer)
    relu = {**body, "network": {**net, "activations": ["relu", "linear"]}}
    r = check(client, relu, quantity="delta", layer=0, index=0, answer=0.0)
    assert r.status_code == 200
    assert r.json() == {"correct": True, "expected": 0.0, "tolerance": 1e-12, "misconception": None}
    r = check(client, relu, quantity="delta", layer=0, index=0, answer=1e-6)
    assert r.json()["correct"] is False


def test_target_minus_output_with_mse(client):
    net = {"layer_sizes": [1, 2], "activations": ["linear"], "loss": "mse",
           "weights": [[[0.5], [-0.3]]], "biases": [[0.1, 0.2]]}  # fmt: skip
    body = {"network": net, "inputs": [[2.0]], "targets": [[0.4, 0.9]], "learning_rate": 0.1}
    a = np.array([1.1, -0.4])
    right = 2 * (a - [0.4, 0.9]) / 2  # 2 (a - y) / n
    r = check(client, body, quantity="delta", layer=0, index=1, answer=typed(right[1]))
    assert r.json()["correct"] is True
    r = check(client, body, quantity="delta", layer=0, index=1, answer=typed(-right[1]))
    assert r.json()["misconception"]["id"] == "target_minus_output"


def test_every_mistake_has_a_test_here():
    named = {m[0] for m in MAZUR_MISTAKES + SOFTMAX_MISTAKES}
    named |= {"sum_not_mean", "assumed_one_hot", "leaky_as_relu"}  # tested on their own above
    assert named == set(MISTAKE_IDS)


# --- a step that diverges ------------------------------------------------------------------


def test_a_diverged_step_checks_its_finite_numbers_and_refuses_the_others(client):
    # z = a = 1e154 is finite; its gradient 1e308 times the learning rate 10 is not
    net = {"layer_sizes": [1, 1], "activations": ["linear"], "weights": [[[1.0]]], "biases": [[0.0]]}  # fmt: skip
    body = {"network": net, "inputs": [[1e154]], "targets": [[0.0]], "learning_rate": 10.0}
    assert client.post("/api/v1/step", json=body).json()["diverged"] is True
    r = check(client, body, quantity="z", layer=0, index=0, answer=1e154)
    assert r.status_code == 200
    assert r.json()["correct"] is True
    assert r.json()["tolerance"] == pytest.approx(1e151)
    r = check(client, body, quantity="new_weights", layer=0, index=[0, 0], answer=1.0, reveal=True)
    assert r.status_code == 422
    (error,) = r.json()["detail"]
    assert error["loc"] == ["body", "quantity"]
    assert "diverges" in error["msg"] and "no number to check" in error["msg"]


def test_a_check_on_the_worked_example_runs_on_the_event_loop(mazur_step):
    """Its cost counts every step it may run: about 20 here, 1 to 2 ms in all."""
    request = CheckRequest.model_validate({**mazur_step, "quantity": "delta", "layer": 0, "index": 0, "answer": 0.5})  # fmt: skip
    assert 15 <= request.passes() <= 30
    assert request.cost().ns <= get_settings().inline_cost


def test_in_a_worker_process_a_check_answers_the_same(make_client, mazur_step):
    """Heavy checks (a hidden delta of the deep preset) run in the pool: so does this one."""
    question = {"quantity": "delta", "layer": 0, "index": 0, "answer": 0.007294}
    inline = check(make_client(), mazur_step, **question)
    with make_client(inline_cost=0, response_cache_entries=0) as pooled:
        r = check(pooled, mazur_step, **question)
        assert r.status_code == 200
        assert r.json() == inline.json()
        assert r.json()["misconception"]["id"] == "used_updated_weights"
        net = {"layer_sizes": [1, 1], "activations": ["linear"], "weights": [[[1.0]]]}
        body = {"network": net, "inputs": [[1e154]], "targets": [[0.0]], "learning_rate": 10.0}
        r = check(pooled, body, quantity="new_weights", layer=0, index=[0, 0], answer=1.0)
        assert r.status_code == 422
        assert errors(r)["body.quantity"].endswith("there is no number to check")


# --- bad questions -------------------------------------------------------------------------


def errors(r) -> dict:
    return {".".join(map(str, e["loc"])): e["msg"] for e in r.json()["detail"]}


@pytest.mark.parametrize(
    ("question", "loc", "words"),
    [
        ({"quantity": "weights", "layer": 0, "index": 0}, "body.quantity", "Input should be 'z'"),
        ({"quantity": "z", "index": 0}, "body.layer", "z needs a layer from 0 to 1"),
        ({"quantity": "z", "layer": 2, "index": 0}, "body.layer", "got 2"),
        ({"quantity": "z", "layer": -1, "index": 0}, "body.layer", "got -1"),
        ({"quantity": "loss", "layer": 0}, "body.layer", "leave layer out"),
        ({"quantity": "loss", "index": 0}, "body.index", "leave index out"),
        ({"quantity": "output_losses", "layer": 0, "index": 0}, "body.layer", "leave layer out or give 1"),
        ({"quantity": "output_losses", "index": 2}, "body.index", "expected 0 to 1"),
        ({"quantity": "a", "layer": 1}, "body.index", "a needs one neuron j"),
        ({"quantity": "a", "layer": 1, "index": [0, 1]}, "body.index", "a needs one neuron j"),
        ({"quantity": "a", "layer": 1, "index": 2}, "body.index", "expected 0 to 1"),
        ({"quantity": "grad_weights", "layer": 1, "index": 0}, "body.index", "needs [j, k]"),
        ({"quantity": "grad_weights", "layer": 1, "index": [0, 1, 2]}, "body.index", "needs [j, k]"),
        ({"quantity": "new_weights", "layer": 0, "index": [2, 0]}, "body.index.0", "expected 0 to 1"),
        ({"quantity": "new_weights", "layer": 0, "index": [0, -1]}, "body.index.1", "got -1"),
        ({"quantity": "a", "layer": 1, "index": 0, "sample": 1}, "body.sample", "expected 0 to 0"),
        ({"quantity": "a", "layer": 1, "index": 0, "sample": -1}, "body.sample", "greater than or equal to 0"),
        ({"quantity": "a", "layer": 1, "index": 0, "answer": None}, "body.answer", "reveal: true"),
        ({"quantity": "a", "layer": 1, "index": 0, "answer": "NaN"}, "body.answer", "valid number"),  # strict: text is not a number
        ({"quantity": "a", "layer": 1, "index": 0, "hint": True}, "body.hint", "Extra inputs"),
    ],
)  # fmt: skip
def test_bad_questions_get_a_422_naming_the_field(client, mazur_step, question, loc, words):
    r = client.post("/api/v1/check", json={**mazur_step, "answer": 0.5, **question})
    assert r.status_code == 422
    found = errors(r)
    assert loc in found and words in found[loc], found
    assert all(e["type"] for e in r.json()["detail"])


def test_the_step_request_is_checked_as_for_step(client, mazur_step):
    body = {**mazur_step, "learning_rate": -1, "quantity": "a", "layer": 1, "index": 0, "answer": 1}
    r = client.post("/api/v1/check", json=body)
    assert r.status_code == 422
    assert errors(r) == {"body.learning_rate": "Input should be greater than or equal to 0"}


def test_a_check_too_big_for_the_limit_is_refused_before_work(make_client, mazur_step):
    client = make_client(max_cost=100_000)
    r = check(client, mazur_step, quantity="delta", layer=0, index=0, answer=0.1)
    assert r.status_code == 422
    assert (
        "the limit is 0.1 ms (max_cost): use fewer samples: a check runs the step once"
        in (errors(r)["body.inputs"])
    )


def test_check_is_documented_with_its_mistakes(client):
    schema = client.get("/api/openapi.json").json()
    post = schema["paths"]["/api/v1/check"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("CheckRequest")  # fmt: skip
    ids = schema["components"]["schemas"]["Misconception"]["properties"]["id"]["enum"]
    assert ids == list(MISTAKE_IDS)
    assert "expected" not in schema["components"]["schemas"]["CheckResponse"]["required"]
