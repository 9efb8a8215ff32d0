"""Share-link states the server decodes (the embed's state parameter, oEmbed's share links):
bounded while they inflate, parsed, and checked against the API's limits. A bad one is a 422
naming `state` from /embed and a 404 from /oembed; never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from app.state import MAX_STATE_BYTES, StateError, decode_state
from tests.states import saved_state, share_code

BASE = "http://testserver"
DEEP = b"[" * 100_000 + b"]" * 100_000


def hostile_states() -> dict[str, str]:
    """Codes that decode to something other than a state within the limits."""
    big = saved_state()
    big["network"] = big["network"] | {"layer_sizes": [1000, 1000], "activations": ["tanh"]}
    big["network"].pop("weights"), big["network"].pop("biases")
    return {
        "a list": share_code([]),
        "null": share_code(None),
        "a number": share_code(3),
        "nested 100,000 deep": share_code(None, raw=DEEP),
        "nested deep inside": share_code(saved_state(inputs=[[[[[[[[0.1]]]]]]]])),
        "layer_sizes [1000, 1000]": share_code(big),
        "no network": share_code({"version": 1, "inputs": [], "targets": []}),
        "NaN in the weights": share_code(None, raw=share_json().replace(b"0.15", b"NaN")),
        "not JSON": share_code(None, raw=b"\xff\xfe not json"),
        "a bomb": share_code(None, raw=b"[" + b"0," * (MAX_STATE_BYTES * 8) + b"0]"),
    }


def share_json() -> bytes:
    import json

    return json.dumps(saved_state()).encode()


def test_a_real_state_decodes_to_itself():
    state = saved_state()
    assert decode_state(share_code(state)) == state


@pytest.mark.parametrize("what", list(hostile_states()))
def test_a_hostile_state_is_refused_with_a_reason(what):
    with pytest.raises(StateError) as refused:
        decode_state(hostile_states()[what])
    assert str(refused.value)


def test_a_bomb_is_refused_while_it_inflates_before_any_parsing():
    bomb = hostile_states()["a bomb"]  # 5.6 KB of link, 4 MiB of JSON
    assert len(bomb) < 12_000
    with pytest.raises(StateError, match=r"expands to more than 256 KiB"):
        decode_state(bomb)


def test_the_limits_name_the_field():
    with pytest.raises(StateError, match=r"network\.layer_sizes\.0: a layer has 1 to 512 neurons"):
        decode_state(hostile_states()["layer_sizes [1000, 1000]"])


@pytest.mark.parametrize("what", list(hostile_states()))
def test_the_embed_answers_422_naming_state(client, what):
    response = client.get(f"/embed?state={hostile_states()[what]}")
    assert response.status_code == 422
    assert "The parameter <code>state</code> is wrong" in response.text


@pytest.mark.parametrize("what", list(hostile_states()))
def test_oembed_answers_404(client, what):
    url = f"{BASE}/#state={hostile_states()[what]}"
    response = client.get(f"/oembed?url={quote(url, safe='')}")
    assert response.status_code == 404
    assert response.json() == {"detail": "not an address of this server's visualizer or embed"}
