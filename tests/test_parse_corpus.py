"""Regression score on the development corpus, with the project's threshold.

The corpus is the project's shared development set (``../shared``); the score is computed by the
shared scorer, so this test measures exactly what the contract measures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.parsing import parse
from tests.support.corpus import CORPUS, REAL, scorer

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="shared/ corpus is not beside the repo")


def _score(path: Path) -> dict[str, Any]:
    gold = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
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
    res: dict[str, Any] = scorer().score(gold, pred)
    return res


def test_dev_corpus_meets_target() -> None:
    res = _score(CORPUS)
    assert res["kind_region"]["f1"] >= 0.95, res
    assert res["counts_accuracy"] >= 0.90, res


@pytest.mark.skipif(not REAL.exists(), reason="no real-posts corpus")
def test_real_corpus_kinds_and_live_meet_target() -> None:
    """Real posts of the official channels: kinds, regions, and threat-now versus report."""
    res = _score(REAL)
    assert res["kind"]["f1"] >= 0.95, res
    assert res["kind_region"]["f1"] >= 0.95, res
    assert res["live_accuracy"] is not None and res["live_accuracy"] >= 0.95, res


OWN = Path(__file__).resolve().parent / "data" / "posts-own.jsonl"


def test_own_posts_meet_target() -> None:
    """Our own 90 posts in the channels' styles (written blind to the parser's rules, labelled
    under the contract): a check that the rules generalise beyond the shared corpora."""
    res = _score(OWN)
    assert res["kind_region"]["f1"] >= 0.95, res
    assert res["counts_accuracy"] >= 0.90, res
    assert res["live_accuracy"] is not None and res["live_accuracy"] >= 0.95, res
