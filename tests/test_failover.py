"""Two ``sitrep run`` processes on the real PostgreSQL; the leader is SIGKILLed mid-broadcast
(``benchmarks/failover.py``, short form): the standby takes over within 15 s, answers
commands, polls the channel the dead leader polled; no post or alert is lost and the only
repeats are rows in flight at the kill."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.engine import Engine

from tests.conftest import PG_URL

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from failover import run_failover

WORKERS = 8  # the dispatcher's concurrent sends: the in-flight window of the killed leader


def test_leader_killed_mid_broadcast(pg_admin: Engine) -> None:
    result = run_failover(quick=True, chats=120, database_url=PG_URL)
    print(result)
    assert result["recovered_s"] < 15
    assert result["leader_gauge"] == [1.0, 0.0, 1.0]  # sitrep_leader: A, B; B after the kill
    assert result["lost"] == 0 and result["delivered"] == 2 * 120
    assert result["false_alerts"] == 0
    assert result["repeats_outside_in_flight"] == 0
    assert result["repeated"] <= WORKERS
