"""The layering the README promises, enforced: import-linter's contracts in ``pyproject.toml``.

sitrep → handlers → bot → storage, one direction only; ``bot.parsing`` and ``bot.geo`` are pure (no
storage, network or Telegram); ``storage.crud`` is entered through its face. The second test proves the contracts bite: the same
configuration run on a tiny tree that breaks each rule must fail.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = [
    sys.executable,
    "-c",
    "from importlinter.cli import lint_imports_command; lint_imports_command()",
]


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [*LINT, "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_project_keeps_its_layers() -> None:
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "3 kept, 0 broken" in out.stdout


def test_the_contracts_fail_on_a_tree_that_breaks_them(tmp_path: Path) -> None:
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = config[config.index("[tool.importlinter]") :]
    (tmp_path / "pyproject.toml").write_text(section, encoding="utf-8")
    files = {
        "sitrep/__init__.py": "",
        "handlers/__init__.py": "",
        "bot/__init__.py": "",
        "bot/parsing/__init__.py": "import httpx  # the parser must not reach the network\n",
        "bot/geo/__init__.py": "",
        "bot/sources/__init__.py": "",
        "bot/alerting/__init__.py": "from storage.crud import live  # past the face\n",
        "bot/pipeline.py": "",
        "storage/__init__.py": "import bot.pipeline  # storage must not import bot\n",
        "storage/crud/__init__.py": "",
    }
    crud = (
        "admin",
        "broadcasts",
        "channels",
        "chats",
        "events",
        "live",
        "media",
        "outbox",
        "places",
    )
    crud = (*crud, "marks", "posts", "prune")
    for name in (*crud, "summaries"):
        files[f"storage/crud/{name}.py"] = ""
    for name, body in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    out = _lint(tmp_path)
    assert out.returncode != 0
    assert re.search(r"0 kept, 3 broken", out.stdout), out.stdout[-3000:]
