"""The fault suite's fastest scenarios in its quick form (``benchmarks/faults.py --quick``):
nothing lost, nothing false, repeats only inside the in-flight window."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import faults


@pytest.mark.parametrize("name", ["alerts", "stranger", "429", "tg60"])
def test_quick_fault_scenario_loses_nothing_and_invents_nothing(name: str) -> None:
    row = faults.SCENARIOS[name](True)
    assert "error" not in row.details, row.details
    assert row.delivered and row.lost == 0, row.as_dict()
    assert row.false_alerts == 0, row.as_dict()
    assert (row.repeated or 0) <= row.window, row.as_dict()


def test_the_table_has_the_issues_columns() -> None:
    row = faults.Row(
        "x", delivered=3, lost=0, repeated=1, false_alerts=0, recovered_s=0.5, window=2
    )
    text = faults.table([row, faults.Row("failover", available=False)])
    header = text.splitlines()[0]
    for column in ("scenario", "delivered", "lost", "repeated", "false alerts", "recovered in s"):
        assert column in header
    assert "1 (≤ 2 in flight)" in text and "not available" in text
