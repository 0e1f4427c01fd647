"""The shared development corpus beside the repository and the shared scorer, loaded as the
contract's own tool so the tests measure exactly what the contract measures."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS = SHARED / "corpus" / "posts-dev.jsonl"
REAL = SHARED / "corpus" / "posts-real-dev.jsonl"
SCORER = SHARED / "tools" / "score_parse.py"


def scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_parse", SCORER)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
