"""Share-link states: "1." + base64url(deflate-raw(JSON of the page's saved state)).

decode_state() is the one way the server reads a state it is given (the embed's `state`
parameter, oEmbed's share links): bounded while it inflates, so a short code cannot expand
into megabytes, then parsed and checked against the same limits as every API request.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib

from pydantic import ValidationError

from .api.schemas import SavedState
from .config import get_settings

MAX_STATE_CHARS = 12_000  # a share-link state in a query string; a whole URL stays under 16 KiB
# The JSON a state may inflate to: a 12,000-character code of real numbers inflates to
# about 30 KB; 256 KiB parse in about 3 ms.
MAX_STATE_BYTES = 256 * 1024
_CODE = re.compile(r"1\.[A-Za-z0-9_-]+")


class StateError(ValueError):
    """Why a state was refused."""


def decode_state(code: str, *, max_bytes: int = MAX_STATE_BYTES) -> dict:
    """The saved state inside a share-link code, checked; StateError says why not."""
    if len(code) > MAX_STATE_CHARS:
        raise StateError(
            f"{len(code)} characters, more than the {MAX_STATE_CHARS} a link may carry"
        )
    if not _CODE.fullmatch(code):
        raise StateError("not a share-link state: it starts with 1. and uses A-Z a-z 0-9 _ -")
    return check_state(parse_state(inflate(code[2:], max_bytes)))


def inflate(text: str, max_bytes: int) -> bytes:
    """The deflated bytes in base64url text, refused as soon as they pass max_bytes."""
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        out = inflater.decompress(packed, max_bytes)  # stops after max_bytes
    except (binascii.Error, ValueError, zlib.error):
        raise StateError("damaged: it does not decode to a backprop-viz state") from None
    if inflater.unconsumed_tail:
        raise StateError(f"it expands to more than {max_bytes // 1024} KiB")
    return out


def parse_state(data: bytes) -> object:
    """JSON, with no NaN or Infinity; nesting past Python's recursion limit is refused."""
    try:
        return json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise StateError("damaged: nested too deeply to be a backprop-viz state") from None
    except ValueError:  # UnicodeDecodeError and JSONDecodeError included
        raise StateError("damaged: it does not decode to a backprop-viz state") from None


def check_state(saved: object) -> dict:
    """saved, when it is a page's state within the limits; else StateError with the first
    problem (a lesson or a share link alike)."""
    if not isinstance(saved, dict):
        raise StateError("damaged: a state is a JSON object")
    try:
        state = SavedState.model_validate(saved)
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        raise StateError(f"{_where(first['loc'])}{first['msg']}") from None
    for loc, msg in state.problems(get_settings()):
        raise StateError(f"{_where(loc)}{msg}")
    return saved


def _where(loc) -> str:
    return f"{'.'.join(map(str, loc))}: " if loc else ""


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number")
