"""Each function is written in one place: the API, the page and the compiled path learn the
activations and losses from app/engine/functions.py, so a name added there appears in no other
file the app is made of."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app", "static", "templates")


def files_naming(name: str) -> list[str]:
    word = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
    found = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:  # an image
                continue
            if word.search(text):
                found.append(path.relative_to(ROOT).as_posix())
    return found


@pytest.mark.parametrize("name", ["elu", "softplus", "silu", "huber"])
def test_a_new_function_is_named_in_functions_py_only(name):
    assert files_naming(name) == ["app/engine/functions.py"]


def test_the_search_finds_names_where_they_are():
    assert "static/js/inspector.js" in files_naming("Inspector")  # the test can fail
