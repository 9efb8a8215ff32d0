"""The request and response models of /api/v1/check: a step request, one number of its
trace to predict, and the student's answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from ..config import Settings
from ..engine import cost as engine
from ..engine.mistakes import MISTAKE_IDS, QUANTITIES, WEIGHTS, variants
from .cost import MEMORY_PER_VALUE, NS_PER_LIST_VALUE, Cost, Fix
from .schemas import Loc, Out, StepFields

Quantity = Literal[QUANTITIES]
MistakeId = Literal[MISTAKE_IDS]


class CheckRequest(StepFields):
    """A step request and the question: which number of its trace, and the answer to it."""

    quantity: Quantity = Field(description="which number of the step's trace")
    layer: int | None = Field(
        None, description="as in the trace: 0 is the first non-input layer; absent for loss; "
        "for output_losses absent or the output layer",
    )  # fmt: skip
    index: int | list[int] | None = Field(
        None, description="a neuron j of the layer; [j, k] for a weight (grad_weights, "
        "new_weights: from neuron k of the layer before to neuron j); the output o for "
        "output_losses; absent for loss",
        examples=[0, [0, 1]],
    )  # fmt: skip
    sample: int = Field(
        0, ge=0, description="which sample of inputs, for z, a, delta and output_losses "
        "(the other quantities are values of the whole batch: loss is its mean loss)",
    )  # fmt: skip
    answer: float | None = Field(
        None, description="the student's number; may be left out only with reveal: true"
    )
    reveal: bool = Field(
        False, description="give the expected number even when the answer is wrong or absent"
    )

    def problems(self, s: Settings) -> Iterator[tuple[Loc, str]]:
        errors = list(super().problems(s))
        yield from errors or self.question_problems()

    @property
    def asked_layer(self) -> int | None:
        """layer as the engine takes it: the output layer for output_losses, None for loss."""
        if self.quantity == "output_losses":
            return len(self.network.layer_sizes) - 2
        return self.layer

    def question_problems(self) -> list[tuple[Loc, str]]:
        """Where the asked number is (layer, index, sample), and whether there is an answer."""
        sizes, q, layer = self.network.layer_sizes, self.quantity, self.layer
        last, batch, errors = len(sizes) - 2, len(self.inputs), []
        if self.sample >= batch:
            errors.append((("sample",), f"expected 0 to {batch - 1} (a sample), got {self.sample}"))
        if self.answer is None and not self.reveal:
            errors.append((("answer",), "give an answer, or reveal: true to see the number"))
        if q == "loss":
            for name in ("layer", "index"):
                if getattr(self, name) is not None:
                    errors.append(((name,), f"loss is one number of the batch: leave {name} out"))
        elif q == "output_losses" and layer not in (None, last):
            why = f"output_losses are the output layer's: leave layer out or give {last}"
            errors.append((("layer",), f"{why}, got {layer}"))
        elif q != "output_losses" and (layer is None or not 0 <= layer <= last):
            why = f"{q} needs a layer from 0 to {last} (0 is the first non-input layer)"
            errors.append((("layer",), why if layer is None else f"{why}, got {layer}"))
        else:
            n_in, n_out = sizes[self.asked_layer], sizes[self.asked_layer + 1]
            errors += self._index_problems(n_in, n_out)
        return errors

    def _index_problems(self, n_in: int, n_out: int) -> Iterator[tuple[Loc, str]]:
        q, index = self.quantity, self.index
        got = "" if index is None else f", got {index}"
        if q in WEIGHTS:
            if not (isinstance(index, list) and len(index) == 2):
                why = f"{q} needs [j, k]: the weight from neuron k of the layer before to neuron j"
                yield ("index",), why + got
                return
            for i, (n, what) in enumerate(((n_out, "this layer"), (n_in, "the layer before"))):
                if not 0 <= index[i] < n:
                    yield (
                        ("index", i),
                        f"expected 0 to {n - 1} (a neuron of {what}), got {index[i]}",
                    )
        elif not isinstance(index, int):
            yield ("index",), f"{q} needs one neuron j (a number)" + got
        elif not 0 <= index < n_out:
            yield ("index",), f"expected 0 to {n_out - 1} (a neuron of this layer), got {index}"

    def passes(self) -> int:
        """Steps a check may run: the right one and one per mistaken pass."""
        return 1 + len(variants(self.network, len(self.inputs), self.quantity, self.asked_layer))

    def cost(self) -> Cost:
        """The right step, traced, and each mistaken step (passes()), a plain numpy pass that
        keeps its arrays and costs about two numpy training steps; the answer is a few numbers."""
        sizes, n = self.network.layer_sizes, len(self.inputs)
        traced = engine.numpy_step_ns(sizes, n) + self.trace_values() * NS_PER_LIST_VALUE
        mistaken = 2 * engine.numpy_step_ns(sizes, n)
        ns = self.network_ns() + self.data_ns() + traced + (self.passes() - 1) * mistaken
        memory = engine.buffers_bytes(sizes, n) + self.trace_values() * MEMORY_PER_VALUE
        fewer = Fix(("inputs",), "use fewer samples: a check runs the step once, and again "
                    f"for each of the {self.passes() - 1} mistakes it may find")  # fmt: skip
        return Cost.of(ns, 4, memory, time=fewer, answer=fewer, memory_fix=fewer)


class Misconception(Out):
    id: MistakeId
    message: str = Field(description="what went wrong, in one sentence, with the formula")


class CheckResponse(Out):
    correct: bool = Field(description="right to 4 significant digits: |answer - expected| < tolerance")  # fmt: skip
    expected: float = Field(
        None, description="the number; present only when the answer is correct or the "
        "request says reveal: true (absent, never null, otherwise)",
        json_schema_extra=lambda schema: schema.pop("default"),
    )  # fmt: skip
    tolerance: float = Field(
        description="one unit in the 4th significant digit of expected; 1e-12 at and near 0"
    )
    misconception: Misconception | None = Field(
        description="the known mistake that gives this wrong answer, or null"
    )
