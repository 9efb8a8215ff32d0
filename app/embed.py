"""The embed's query parameters, checked with a reason for every refusal, and oEmbed answers."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import lessons
from .engine.data import PRESETS
from .state import StateError, decode_state

CONTROLS = ("full", "minimal", "none")
THEMES = ("light", "dark", "auto")
PANELS = ("inspector", "loss", "data", "numbers")
# the quiz's kinds of question, in the order a step computes them (static/js/questions.js KINDS)
QUIZ_KINDS = ("z", "a", "loss", "output_delta", "hidden_delta", "grad_weights", "new_weights")
DEFAULT_SHOW = ("inspector", "loss")
MAX_LAYERS = 9  # weight layers of the largest network the API accepts (max_layers - 1)
SPEED = (0.25, 8.0)
PARAMETERS = (
    "preset", "state", "lesson", "controls", "autoplay", "speed", "phase", "theme", "show", "quiz",
    "id",
)  # fmt: skip

_PHASE = re.compile(r"idle|loss|update|(forward|backward)-([1-9])")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
_TRUE = {"", "1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class EmbedError(ValueError):
    """A refused parameter: `parameter` names it, the message says why."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class EmbedOptions:
    preset: str | None = "mazur"
    state: str | None = None
    controls: str = "minimal"
    autoplay: bool = False
    speed: float = 1.0
    phase: str = "idle"
    theme: str = "auto"
    show: tuple[str, ...] = DEFAULT_SHOW
    quiz: tuple[str, ...] = ()  # the kinds of question asked; none: no quiz
    id: str | None = None
    lesson: str | None = None  # a lesson's id: the server fills in its preset or state
    title: str = field(default="", compare=False)

    def query(self) -> dict[str, str]:
        """The parameters that differ from the defaults, for an /embed address."""
        if self.lesson:
            out = {"lesson": self.lesson}
        else:
            out = {"preset": self.preset} if self.state is None else {"state": self.state}
        defaults = EmbedOptions()
        if self.controls != defaults.controls:
            out["controls"] = self.controls
        if self.autoplay:
            out["autoplay"] = "1"
        if self.speed != defaults.speed:
            out["speed"] = f"{self.speed:g}"
        if self.phase != defaults.phase:
            out["phase"] = self.phase
        if self.theme != defaults.theme:
            out["theme"] = self.theme
        if self.show != defaults.show:
            out["show"] = ",".join(self.show) or "none"
        if self.quiz:
            out["quiz"] = "1" if self.quiz == QUIZ_KINDS else ",".join(self.quiz)
        if self.id:
            out["id"] = self.id
        return out


def shortened(text: str, limit: int = 60) -> str:
    """At most `limit` characters of text, and "..." when there were more."""
    return text if len(text) <= limit else text[:limit] + "..."


def shown(value: str, limit: int = 60) -> str:
    """A refused value as it may appear in a message: quoted, shortened (escaping comes later)."""
    return json.dumps(shortened(value, limit))


def parse_options(pairs: Iterable[tuple[str, str]]) -> EmbedOptions:
    """EmbedOptions from query pairs; EmbedError names the first bad parameter."""
    given: dict[str, str] = {}
    for name, value in pairs:
        if name not in PARAMETERS:
            raise EmbedError(
                shortened(name, 40),
                f"unknown parameter; the parameters are {', '.join(PARAMETERS)}",
            )
        if name in given:
            raise EmbedError(name, "given more than once")
        given[name] = value
    options: dict = {}
    if "preset" in given and "state" in given:
        raise EmbedError("state", "give preset or state, not both")
    if "lesson" in given:
        if "preset" in given or "state" in given:
            raise EmbedError(
                "lesson", "a lesson brings its own network: leave out preset and state"
            )
        if not lessons.ID.fullmatch(given["lesson"]):
            raise EmbedError("lesson", "not a lesson id: 6 to 16 letters and digits")
        options |= {"lesson": given["lesson"], "preset": None}
    if "preset" in given:
        name = given["preset"]
        if name not in PRESETS:
            raise EmbedError(
                "preset", f"unknown preset {shown(name)}; choose one of {', '.join(PRESETS)}"
            )
        options["preset"] = name
    if "state" in given:
        try:
            decode_state(given["state"])
        except StateError as error:
            raise EmbedError("state", str(error)) from None
        options |= {"state": given["state"], "preset": None}
    options["title"] = _title(options)
    for name, choices in (("controls", CONTROLS), ("theme", THEMES)):
        if name in given:
            if given[name] not in choices:
                raise EmbedError(name, f"{shown(given[name])} is not one of {', '.join(choices)}")
            options[name] = given[name]
    if "autoplay" in given:
        word = given["autoplay"].lower()
        if word not in _TRUE | _FALSE:
            raise EmbedError("autoplay", f"{shown(given['autoplay'])} is not 1, 0, true or false")
        options["autoplay"] = word in _TRUE
    if "speed" in given:
        options["speed"] = _speed(given["speed"])
    if "phase" in given:
        if not _PHASE.fullmatch(given["phase"]):
            raise EmbedError(
                "phase",
                f"{shown(given['phase'])} is not a phase: idle, forward-<l>, loss, backward-<l>"
                f" or update, with l from 1 to {MAX_LAYERS}",
            )
        options["phase"] = given["phase"]
    if "show" in given:
        options["show"] = _panels(given["show"])
    if "quiz" in given:
        options["quiz"] = _quiz(given["quiz"])
    if "id" in given:
        if not _ID.fullmatch(given["id"]):
            raise EmbedError(
                "id", "use 1 to 64 letters, digits and _ . : - (starting with a letter or digit)"
            )
        options["id"] = given["id"]
    return EmbedOptions(**options)


def valid_id(text: str | None) -> str | None:
    """The embed id when it is well formed, else None (for an error page's error event)."""
    return text if text and _ID.fullmatch(text) else None


def _speed(text: str) -> float:
    try:
        speed = float(text)
    except ValueError:
        speed = float("nan")
    if not SPEED[0] <= speed <= SPEED[1]:  # also refuses nan and inf
        raise EmbedError(
            "speed", f"{shown(text)} is not a number from {SPEED[0]:g} to {SPEED[1]:g}"
        )
    return speed


def _panels(text: str) -> tuple[str, ...]:
    words = [w for w in re.split(r"[\s,]+", text.strip()) if w]
    if words in ([], ["none"]):
        return ()
    for word in words:
        if word not in PANELS:
            raise EmbedError("show", f"{shown(word)} is not one of {', '.join(PANELS)} (or none)")
    return tuple(p for p in PANELS if p in words)


def _quiz(text: str) -> tuple[str, ...]:
    """1/true: every kind of question; 0/false/none: no quiz; else a comma list of kinds."""
    word = text.strip().lower()
    if word in _TRUE:
        return QUIZ_KINDS
    if word in _FALSE | {"none"}:
        return ()
    words = [w for w in re.split(r"[\s,]+", text.strip()) if w]
    for word in words:
        if word not in QUIZ_KINDS:
            raise EmbedError(
                "quiz",
                f"{shown(word)} is not one of {', '.join(QUIZ_KINDS)} (or 1 for all, 0 for none)",
            )
    return tuple(k for k in QUIZ_KINDS if k in words)


def _title(options: dict) -> str:
    if options.get("lesson"):
        return "Backpropagation, step by step: a lesson"  # pages.py puts in the lesson's title
    if options.get("state"):
        return "Backpropagation, step by step: a shared network"
    name = options.get("preset", "mazur")
    return f"Backpropagation, step by step: {PRESETS[name]['title']}"


# --- oEmbed ---------------------------------------------------------------------------------

DEFAULT_WIDTH = 800
QUIZ_HEIGHT = 230  # the quiz panel with a question open (static/js/snippets.js says the same)
LESSON_HEIGHT = 190  # a lesson's stop: title, caption, Previous/Next stop (snippets.js too)


def estimated_height(options: EmbedOptions, width: int) -> int:
    """Roughly how tall the embed is at this width (the loader then sizes it exactly)."""
    height = 24 + (0 if options.controls == "none" else 52) + 36 + round(width * 0.5)
    if set(options.show) & {"inspector", "loss", "data"}:
        height += 300
    if "numbers" in options.show:
        height += 420
    if options.quiz or options.lesson:  # a lesson's stops may ask
        height += QUIZ_HEIGHT
    if options.lesson:
        height += LESSON_HEIGHT
    return height


def options_for_url(url: str, host: str) -> EmbedOptions | None:
    """EmbedOptions for an address of this server's /, /embed or a share link; else None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    try:
        if parts.path in ("", "/"):
            fragment = dict(parse_qsl(parts.fragment))
            if "state" in fragment:
                return parse_options([("state", fragment["state"])])
            preset = dict(query).get("preset")
            return parse_options([("preset", preset)] if preset else [])
        if parts.path == "/embed":
            return parse_options(query)
        if parts.path.startswith("/lesson/") and not query:
            return parse_options([("lesson", parts.path.removeprefix("/lesson/"))])
    except EmbedError:
        return None
    return None


def oembed(options: EmbedOptions, base: str, maxwidth: int | None, maxheight: int | None) -> dict:
    """A "rich" oEmbed answer whose html is the iframe snippet."""
    width = min(DEFAULT_WIDTH, maxwidth or DEFAULT_WIDTH)
    height = estimated_height(options, width)
    if maxheight:
        height = min(height, maxheight)
    src = f"{base}/embed?{urlencode(options.query())}"
    return {
        "version": "1.0",
        "type": "rich",
        "provider_name": "backprop-viz",
        "provider_url": f"{base}/",
        "title": options.title,
        "width": width,
        "height": height,
        "html": iframe_html(src, options.title, width, height),
    }


def iframe_html(src: str, title: str, width: int | str, height: int) -> str:
    return (
        f'<iframe src="{html.escape(src)}" title="{html.escape(title)}" width="{width}" '
        f'height="{height}" style="border:0;max-width:100%" loading="lazy" '
        'allow="clipboard-write"></iframe>'
    )
