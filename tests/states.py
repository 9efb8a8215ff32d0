"""Share-link states as the page makes them, for the tests of the server's decoder."""

from __future__ import annotations

import base64
import json
import zlib

from app.engine.data import preset


def share_code(state, *, raw: bytes | None = None) -> str:
    """1. + base64url(deflate-raw(JSON of state)), or of the raw bytes given."""
    pack = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = raw if raw is not None else json.dumps(state).encode()
    return "1." + base64.urlsafe_b64encode(pack.compress(data) + pack.flush()).decode().rstrip("=")


def decode_state(code: str) -> dict:
    """The state of a share code (share_code's inverse)."""
    body = code.split(".", 1)[1]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return json.loads(zlib.decompress(raw, -zlib.MAX_WBITS))


def saved_state(**changes) -> dict:
    """The Mazur example as the page saves it (store.saved()), with changes."""
    mazur = preset("mazur")
    state = {
        "version": 1, "name": "mazur", "title": mazur["title"], "description": "",
        "network": mazur["network"], "initial": mazur["network"],
        "inputs": mazur["inputs"], "targets": mazur["targets"],
        "test_inputs": None, "test_targets": None, "dataset": None,
        "settings": {"learning_rate": 0.5, "batch_size": None, "momentum": 0, "l1": 0, "l2": 0},
        "velocity": None, "cursor": 0, "step": 0, "sample": 0, "losses": [],
    }  # fmt: skip
    return state | changes
