"""The lesson document and its checks.

    {"version": 1, "title": "...", "preset": "mazur" | "state": "1.…",
     "stops": [{"step": 1, "phase": "backward-2",
                "focus": {"kind": "neuron", "layer": 2, "index": 0} | null,
                "caption": "plain text",
                "question": {"quantity": "delta", "layer": 1, "index": 0} | null}]}

The models check the structure; problems() checks everything that depends on the network
(its layers, neurons, phases and samples) against its Shape. Two numberings meet here:
`focus` numbers layers as the diagram does (0 is the input layer), `question` as the trace
and POST /api/v1/check do (0 is the first non-input layer).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field
from pydantic import Strict as Strictness

from ..api.schemas import Loc, Strict
from ..engine.data import PRESETS
from ..engine.mistakes import QUANTITIES, WEIGHTS
from ..state import MAX_STATE_CHARS

VERSION = 1
MAX_TITLE = 200  # characters
MAX_CAPTION = 2_000  # characters
MAX_STOPS = 100
MAX_STEP = 10_000  # steps from the lesson's starting network: the player trains up to it

Quantity = Literal[QUANTITIES]  # as POST /api/v1/check asks them
PresetName = Literal[tuple(PRESETS)]  # type: ignore[valid-type]
Index = Annotated[int, Field(ge=0)]

_PHASE = re.compile(r"idle|loss|update|(forward|backward)-([1-9][0-9]?)")
# control characters other than tab and newline (a newline is a caption's line break)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TITLE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class NeuronFocus(Strict):
    kind: Literal["neuron"]
    layer: Index = Field(description="the diagram's layer: 0 is the input layer")
    index: Index = Field(description="the neuron, from 0 at the top")


class BiasFocus(Strict):
    kind: Literal["bias"]
    layer: int = Field(ge=1, description="the layer of the neuron the bias feeds")
    index: Index = Field(description="that neuron")


class EdgeFocus(Strict):
    kind: Literal["edge"]
    layer: int = Field(ge=1, description="the layer the weight feeds (data-layer of an .edge)")
    from_: Index = Field(alias="from", description="the neuron of layer - 1 (data-from)")
    to: Index = Field(description="the neuron of layer (data-to)")


Focus = Annotated[NeuronFocus | BiasFocus | EdgeFocus, Field(discriminator="kind")]


class Question(Strict):
    """Asked as POST /api/v1/check asks it."""

    quantity: Quantity
    layer: Index | None = Field(
        None, description="as in the trace: 0 is the first non-input layer; absent for loss"
    )
    # a JSON list becomes the pair (types are strict, but a list is what JSON has for one)
    index: Index | Annotated[tuple[Index, Index], Strictness(False)] | None = Field(
        None, description="a neuron j, or [j, k] for a weight (grad_weights, new_weights)"
    )
    sample: Index = Field(
        0, description="which sample of the step's batch, for z, a, delta and output_losses"
    )


class Stop(Strict):
    step: int = Field(
        ge=0, le=MAX_STEP,
        description="Step's steps from the lesson's network: with a phase, that phase of the "
        "step-th step; at idle, after step steps (0: before any, and only idle)",
    )  # fmt: skip
    phase: str = Field(
        max_length=16,
        description="idle, forward-<l>, loss, backward-<l> or update (l = 1 .. weight layers)",
        examples=["backward-2"],
        json_schema_extra={"pattern": "^(idle|loss|update|(forward|backward)-[1-9][0-9]?)$"},
    )
    focus: Focus | None = Field(None, description="the element to look at, or null")
    caption: str = Field(
        "", max_length=MAX_CAPTION,
        description="plain text with the marks **bold**, *italics*, `code` and newlines",
    )  # fmt: skip
    question: Question | None = None


class Lesson(Strict):
    """A network (a preset or a share-link state) and the stops through it."""

    version: Literal[1] = Field(VERSION, description="the document's format version")
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    preset: PresetName | None = Field(None, description="a preset (or give state)")
    state: str | None = Field(
        None, max_length=MAX_STATE_CHARS,
        description="a share-link state, 1. + base64url (or give preset)",
    )  # fmt: skip
    stops: list[Stop] = Field(min_length=1, max_length=MAX_STOPS)

    def document(self) -> dict:
        """The lesson as stored and served: given fields and defaults, null focus and question,
        only the one of preset and state that is given, a question without its absent fields."""
        out = self.model_dump(mode="json", by_alias=True, exclude={"stops"})
        out.pop("state" if self.state is None else "preset")
        out["stops"] = [
            stop.model_dump(mode="json", by_alias=True, exclude={"question"})
            | {
                "question": stop.question
                and stop.question.model_dump(mode="json", exclude_none=True)
            }
            for stop in self.stops
        ]
        return out


# --- what the network decides ---------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What a lesson's stops are checked against."""

    layer_sizes: tuple[int, ...]  # neurons per layer, the input layer first
    samples: int  # samples in one step's batch

    @property
    def weight_layers(self) -> int:
        return len(self.layer_sizes) - 1


def preset_shape(name: str) -> Shape:
    spec = PRESETS[name]
    n = spec["dataset"]["n"] if spec.get("dataset") else len(spec["inputs"])
    return Shape(tuple(spec["network"]["layer_sizes"]), min(spec.get("batch_size") or n, n))


def state_shape(saved: dict) -> Shape:
    """The shape of a decoded share-link state (app.state.decode_state's answer, whose
    network and data are checked against the API's limits): problems() checks every stop
    against it as it does for a preset."""
    sizes = saved["network"]["layer_sizes"]
    n = len(saved["inputs"])
    settings = saved.get("settings")
    batch = settings.get("batch_size") if isinstance(settings, dict) else None
    samples = min(batch, n) if type(batch) is int and batch >= 1 else n
    return Shape(tuple(sizes), max(samples, 1))


def problems(lesson: Lesson, shape: Shape | None) -> Iterator[tuple[Loc, str]]:
    """What is wrong with the lesson: (loc, message) pairs. shape is the network's, or None
    when the lesson has no network to check against yet (a state not decoded)."""
    if (lesson.preset is None) == (lesson.state is None):
        yield ("preset",), "give a preset or a state (exactly one of them)"
    if not lesson.title.strip():
        yield ("title",), "the title is empty"
    if _TITLE_CONTROL.search(lesson.title):
        yield ("title",), "the title is one line of text, without control characters"
    for i, stop in enumerate(lesson.stops):
        if _CONTROL.search(stop.caption):
            yield ("stops", i, "caption"), "control characters are not allowed (a newline is)"
        if not _PHASE.fullmatch(stop.phase):
            yield (
                ("stops", i, "phase"),
                "not a phase: idle, forward-<l>, loss, backward-<l> or update",
            )
        elif stop.step == 0 and stop.phase != "idle":
            yield ("stops", i, "phase"), "step 0 is before any step: its phase is idle"
        if shape is None:
            continue
        for loc, msg in _stop_problems(stop, shape):
            yield ("stops", i, *loc), msg


def _stop_problems(stop: Stop, shape: Shape) -> Iterator[tuple[Loc, str]]:
    L = shape.weight_layers
    sizes = shape.layer_sizes
    phase = _PHASE.fullmatch(stop.phase)
    if phase and phase.group(2) and not 1 <= int(phase.group(2)) <= L:
        yield (
            ("phase",),
            f"this network has {L} weight layers: l in {phase.group(1)}-<l> is 1 to {L}",
        )
    focus = stop.focus
    if focus is not None:
        kind = focus.kind
        if focus.layer > L:
            yield ("focus", kind, "layer"), f"this network's layers are 0 (inputs) to {L}"
        elif kind == "edge":
            if focus.from_ >= sizes[focus.layer - 1]:
                yield ("focus", kind, "from"), _neurons(sizes, focus.layer - 1)
            if focus.to >= sizes[focus.layer]:
                yield ("focus", kind, "to"), _neurons(sizes, focus.layer)
        elif focus.index >= sizes[focus.layer]:
            yield ("focus", kind, "index"), _neurons(sizes, focus.layer)
    if stop.question is not None:
        for loc, msg in _question_problems(stop.question, shape):
            yield ("question", *loc), msg


def _question_problems(q: Question, shape: Shape) -> Iterator[tuple[Loc, str]]:
    L = shape.weight_layers
    sizes = shape.layer_sizes
    if q.sample >= shape.samples:
        yield (
            ("sample",),
            f"a step of this network has {shape.samples} samples: 0 to {shape.samples - 1}",
        )
    if q.quantity == "loss":
        for name in ("layer", "index"):
            if getattr(q, name) is not None:
                yield (name,), "the loss is one number: leave out layer and index"
        return
    layer = q.layer
    if q.quantity == "output_losses":
        if layer is not None and layer != L - 1:
            yield ("layer",), f"output_losses are the output layer's ({L - 1}); or leave layer out"
        layer = L - 1
    elif layer is None:
        yield ("layer",), f"{q.quantity} needs a layer (0 to {L - 1}, numbered as in the trace)"
        return
    elif layer >= L:
        yield ("layer",), f"this network's trace has layers 0 to {L - 1}"
        return
    pair = q.quantity in WEIGHTS
    if q.index is None or isinstance(q.index, tuple) != pair:
        form = "[j, k]: neuron j of the layer and neuron k feeding it" if pair else "a neuron j"
        yield ("index",), f"{q.quantity} takes an index {form}"
        return
    j, k = q.index if pair else (q.index, None)
    if j >= sizes[layer + 1]:
        yield ("index",), _neurons(sizes, layer + 1, "j: ")
    if k is not None and k >= sizes[layer]:
        yield ("index",), _neurons(sizes, layer, "k: ")


def _neurons(sizes: tuple[int, ...], layer: int, prefix: str = "") -> str:
    return (
        f"{prefix}layer {layer} of the diagram has {sizes[layer]} neurons: 0 to {sizes[layer] - 1}"
    )
