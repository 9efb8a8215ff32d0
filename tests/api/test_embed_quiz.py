"""The embed's quiz parameter: which questions an embed asks, checked with a reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.embed import QUIZ_KINDS

QUESTIONS_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "questions.js"


def quiz_of(page: str) -> str:
    return re.search(r'data-quiz="([^"]*)"', page).group(1)


@pytest.mark.parametrize(
    ("value", "asked"),
    [
        ("1", " ".join(QUIZ_KINDS)),
        ("true", " ".join(QUIZ_KINDS)),
        ("0", ""),
        ("none", ""),
        ("loss,z", "z loss"),  # in the order a step computes them
        ("grad_weights, new_weights", "grad_weights new_weights"),
    ],
)
def test_the_quiz_parameter_chooses_the_questions(client, value, asked):
    response = client.get("/embed", params={"preset": "mazur", "quiz": value})
    assert response.status_code == 200
    assert quiz_of(response.text) == asked
    assert ('id="quiz-panel"' in response.text) == bool(asked)


def test_without_the_parameter_an_embed_asks_nothing_but_full_controls_offer_the_quiz(client):
    response = client.get("/embed", params={"preset": "mazur"})
    assert response.status_code == 200
    assert quiz_of(response.text) == ""
    assert 'id="quiz-panel"' not in response.text and 'id="quiz-toggle"' not in response.text
    full = client.get("/embed", params={"preset": "mazur", "controls": "full"})
    assert full.status_code == 200
    assert 'id="quiz-toggle"' in full.text and 'id="quiz-panel"' in full.text


@pytest.mark.parametrize("value", ["zz", "z,delta", "yes please", "2"])
def test_a_bad_quiz_value_is_refused_with_the_reason(client, value):
    response = client.get("/embed", params={"preset": "mazur", "quiz": value})
    assert response.status_code == 422
    assert "<code>quiz</code> is wrong" in response.text
    assert (
        "is not one of z, a, loss, output_delta, hidden_delta, grad_weights, new_weights"
        in response.text
    )


def test_the_page_and_the_server_name_the_same_kinds():
    kinds = re.search(r"export const KINDS = \[([^\]]*)\]", QUESTIONS_JS.read_text()).group(1)
    assert tuple(re.findall(r'"(\w+)"', kinds)) == QUIZ_KINDS


def test_oembed_keeps_the_quiz(client):
    url = "http://testserver/embed?preset=mazur&quiz=z,loss"
    response = client.get("/oembed", params={"url": url})
    assert response.status_code == 200
    assert "quiz=z%2Closs" in response.json()["html"]
