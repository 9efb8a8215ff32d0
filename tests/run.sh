#!/usr/bin/env bash
# Installs what the tests need, then runs every test: lint, the JS unit tests, and the
# Python tests (engine, API, live server, browser). Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
# the browser tests drive Debian's chromium; the load benchmark's smoke test needs wrk; the
# lessons' store is tested on Debian's PostgreSQL too (tests/postgres.py runs its own server)
if [ ! -x /usr/bin/chromium ] || ! command -v wrk >/dev/null \
  || ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wrk postgresql >/dev/null
fi

# the accessibility tests inject axe-core (from npm, pinned in tests/browser/package-lock.json)
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null
fi

python3 -m ruff check .
python3 -m ruff format --check .

shopt -s nullglob
js_tests=(tests/js/*.test.mjs)
if [ ${#js_tests[@]} -eq 0 ]; then
  echo "no JavaScript tests found in tests/js/" >&2
  exit 1
fi
node --test "${js_tests[@]}"

python3 -m pytest "$@"
