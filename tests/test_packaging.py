"""A non-editable install (pip install .) carries every module, migration and page asset."""

import shutil
import subprocess
import sys
import tomllib
import zipfile
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


def test_a_built_wheel_carries_every_module_and_the_migrations(tmp_path):
    """What `pip install .` installs: a wheel built from a clean copy of the sources."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("app", "static", "templates"):
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--wheel-dir", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "app").rglob("*.py")}
    assert sorted(modules - shipped) == []
    assert "app/lessons/migrations/versions/0001_lessons.py" in shipped
