"""The engine imports nothing from the web layer."""

import subprocess
import sys


def test_the_engine_imports_only_numpy_and_the_standard_library():
    code = (
        "import sys, app.engine.network, app.engine.train, app.engine.gradcheck, app.engine.data, app.engine.predict, app.engine.mistakes;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi', 'pydantic', 'starlette', 'uvicorn', 'jinja2'} or m.startswith('app.api')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
