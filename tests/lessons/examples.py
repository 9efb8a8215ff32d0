"""Lessons the tests publish: on Mazur's worked example, and on a share-link state."""

from __future__ import annotations

import copy

from tests.api.test_oembed import share_code

MAZUR_LESSON = {
    "title": "Why the output delta has f'(z)",
    "preset": "mazur",
    "stops": [
        {"step": 0, "phase": "idle", "focus": None, "caption": "The **network** as published."},
        {
            "step": 1,
            "phase": "forward-2",
            "focus": {"kind": "neuron", "layer": 2, "index": 0},
            "caption": "o1 adds up its *inputs*.",
            "question": {"quantity": "z", "layer": 1, "index": 0},
        },
        {
            "step": 1,
            "phase": "backward-2",
            "focus": {"kind": "edge", "layer": 2, "from": 0, "to": 1},
            "caption": "`w7` gets its gradient\nfrom delta of o2.",
            "question": {"quantity": "grad_weights", "layer": 1, "index": [1, 0]},
        },
        {
            "step": 1,
            "phase": "update",
            "focus": {"kind": "bias", "layer": 1, "index": 1},
            "caption": "",
            "question": {"quantity": "loss"},
        },
    ],
}

# as GET /api/v1/lessons/{id} gives it back: the version, every field of a stop, and a
# question's default sample
MAZUR_LESSON_STORED = {
    "version": 1,
    **copy.deepcopy(MAZUR_LESSON),
}
for stop in MAZUR_LESSON_STORED["stops"]:
    stop.setdefault("question", None)
    if stop["question"] is not None:
        stop["question"]["sample"] = 0

# a 2-3-1 network with four samples, as the page's Share button writes it
STATE = share_code(
    {
        "version": 1,
        "network": {"layer_sizes": [2, 3, 1], "activations": ["sigmoid", "sigmoid"]},
        "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
        "targets": [[0], [1], [1], [0]],
        "settings": {"batch_size": 2},
    }
)


def mazur_lesson(**changes) -> dict:
    """A fresh copy of MAZUR_LESSON with top-level fields changed (None removes one)."""
    lesson = copy.deepcopy(MAZUR_LESSON) | changes
    return {k: v for k, v in lesson.items() if v is not None}


def with_stop(stop: dict, **changes) -> dict:
    """MAZUR_LESSON with one stop: the first one's fields changed."""
    return mazur_lesson(stops=[{"step": 1, "phase": "forward-1", **stop}], **changes)
