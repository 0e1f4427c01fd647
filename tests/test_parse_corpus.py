"""Regression score on the development corpus, with the project's threshold.

The corpus is the project's shared development set (``../shared``); the score is computed by the
shared scorer, so this test measures exactly what the contract measures.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from bot.parsing import parse

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "posts-dev.jsonl"
SCORER = SHARED / "tools" / "score_parse.py"

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="shared/ corpus is not beside the repo")


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_parse", SCORER)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_dev_corpus_meets_target() -> None:
    gold = [
        json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    pred = [
        {
            "id": g["id"],
            "events": [
                e.to_json() for e in parse(g["text"], g.get("source_kind"), g.get("default_region"))
            ],
        }
        for g in gold
    ]
    res = _scorer().score(gold, pred)
    assert res["kind_region"]["f1"] >= 0.95, res
    assert res["counts_accuracy"] >= 0.90, res
