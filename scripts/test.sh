#!/usr/bin/env bash
# Installs Sitrep with its test extras into ./.venv (created if missing), makes sure the local
# PostgreSQL is up, then runs the linters, the type checker and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import bot, storage, handlers, sitrep, telegram, sqlmodel, pymorphy3" # the install really happened
if [ -f scripts/ensure_postgres.sh ]; then bash scripts/ensure_postgres.sh; fi
# The status page's browser test drives Debian's chromium through Playwright (Playwright's own
# browser download cannot work offline); installed once, quietly, only when it is missing.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "== installing chromium (Debian) for the browser test"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
    || echo "chromium could not be installed: the browser test will be skipped"
fi
echo "== ruff check"; .venv/bin/ruff check bot handlers storage sitrep tests scripts benchmarks
echo "== ruff format --check"; .venv/bin/ruff format --check bot handlers storage sitrep tests scripts benchmarks
echo "== mypy"; .venv/bin/mypy bot handlers storage sitrep
echo "== hadolint"; .venv/bin/hadolint Dockerfile
echo "== pytest"; .venv/bin/python -m pytest -q "$@"
