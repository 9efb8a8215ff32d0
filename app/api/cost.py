"""What a request costs before it runs: the time of one core, the size of its answer, and its
memory. Each request model in schemas.py has a `cost()` beside its `problems()`: the engine's
part comes from app/engine/cost.py, the answer's part from here. The same estimate refuses a
request past the limits (Cost.problems, a 422 naming the limit and the field to change) and
decides where it runs (jobs.py: on the event loop up to inline_cost, else in a worker).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..config import Settings

Loc = tuple[str | int, ...]

NS_PER_REQUEST = 30_000  # checking the request, building the engine's objects and the answer
NS_PER_BODY_BYTE = 20  # parsing and checking JSON (pydantic-core), per byte of the body
NS_PER_INPUT = 40  # a number of the request that becomes part of a numpy array
NS_PER_VALUE = 100  # a float of the answer: from numpy to a Python float, then JSON text
NS_PER_LIST_VALUE = 60  # the same for a value that is a Python float already
NS_PER_GRID = 15_000  # quantizing a grid: numpy's calls over all its neurons at once
NS_PER_GRID_CODE = 5  # a value of a grid quantized to a byte, then written in base64
BYTES_PER_VALUE = 21  # a float64 as JSON: up to 17 digits, sign, point, exponent and a comma
MEMORY_PER_VALUE = 70  # numpy (8), a Python float in a list (32), its JSON text (21), slack
MEMORY_PER_BODY_BYTE = 16  # the parsed body: each number a Python float in a list
MEMORY_BASE = 1 << 20  # the request's objects, the network, the engine's workspace


def parse_ns(body_bytes: int) -> float:
    """Parsing and checking a body of this many bytes."""
    return NS_PER_BODY_BYTE * body_bytes


@dataclass(frozen=True)
class Fix:
    """Where a limit's problem is reported and what to change: (loc, advice)."""

    loc: Loc
    advice: str


@dataclass(frozen=True)
class Cost:
    """A request's estimated cost; `problems` says which limits it passes."""

    ns: float  # nanoseconds of one core, parsing excluded (it depends on the body's bytes)
    values: int  # numbers in the answer
    memory: int  # bytes of memory beside the parsed body
    text: int  # bytes of the answer that are not numbers (base64)
    time_fix: Fix
    answer_fix: Fix
    memory_fix: Fix

    @classmethod
    def of(cls, ns, values, memory, *, text=0, time, answer, memory_fix) -> Cost:
        """ns of work (writing the answer included), `values` numbers and `text` other bytes
        in the answer, and the memory of the work (bytes): the answer's memory and the
        request's are added."""
        return cls(
            ns=NS_PER_REQUEST + ns,
            values=values,
            memory=MEMORY_BASE + memory + values * MEMORY_PER_VALUE + 2 * text,
            text=text,
            time_fix=time,
            answer_fix=answer,
            memory_fix=memory_fix,
        )

    @property
    def answer_bytes(self) -> int:
        return self.values * BYTES_PER_VALUE + self.text

    def problems(self, s: Settings) -> Iterator[tuple[Loc, str]]:
        """Each limit this request would pass, as (loc, message) naming the limit."""
        if self.ns > s.max_cost:
            yield (
                self.time_fix.loc,
                (
                    f"this request would take about {_seconds(self.ns)} to compute; the limit is "
                    f"{_seconds(s.max_cost)} (max_cost): {self.time_fix.advice}"
                ),
            )
        if self.answer_bytes > s.max_answer_bytes:
            yield (
                self.answer_fix.loc,
                (
                    f"the answer would be about {_bytes(self.answer_bytes)} of JSON; the limit is "
                    f"{_bytes(s.max_answer_bytes)} (max_answer_bytes): {self.answer_fix.advice}"
                ),
            )
        if self.memory > s.max_memory_bytes:
            yield (
                self.memory_fix.loc,
                (
                    f"this request would need about {_bytes(self.memory)} of memory; the limit is "
                    f"{_bytes(s.max_memory_bytes)} (max_memory_bytes): {self.memory_fix.advice}"
                ),
            )


def _seconds(ns: float) -> str:
    return f"{ns / 1e9:.3g} s" if ns >= 1e8 else f"{ns / 1e6:.3g} ms"


def _bytes(n: float) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} bytes"
