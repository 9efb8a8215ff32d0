"""A non-editable install (pip install .) carries every page asset."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_static_file_and_template_is_in_the_installed_data_files():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = [
        g for patterns in config["tool"]["setuptools"]["data-files"].values() for g in patterns
    ]
    packaged = {path for g in globs for path in ROOT.glob(g) if path.is_file()}
    assets = {
        path
        for folder in ("static", "templates")
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and path.name != ".keep"
    }
    assert sorted(map(str, assets - packaged)) == []
