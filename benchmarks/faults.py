"""The fault suite: the real bot against the stand-ins while things break, one row per scenario.

    python benchmarks/faults.py --quick          # every scenario, shortened: < 5 min
    python benchmarks/faults.py                  # the durations of issue 11 (≈ 15 min)
    python benchmarks/faults.py --only kill,429  # some scenarios (names below)

Scenarios (modules ``faults_crash``, ``faults_outages``, ``faults_sources``; the two-instance
failover comes from ``failover.py`` when it is there):

    kill      SIGKILL ``sitrep run`` mid-broadcast (×2 quick, ×3 full), restart, finish
    term      SIGTERM mid-broadcast, restart, finish
    429       a 429 storm: we send unthrottled, Telegram allows 30 msg/s
    flaky     random 500s (10 %) and hung requests (2 %, executed but never answered)
    tg60      Telegram answers 502 for 60 s (quick: 10 s)
    tg300     Telegram drops every connection for 5 min (quick: 40 s)
    db        the database cut off for 60 s mid-broadcast (quick: 15 s)
    failover  two instances on PostgreSQL, the leader SIGKILLed (``failover.run_failover``)
    garbage   a channel's preview page turns to garbage, then to an empty page, then returns
    stranger  ``channel_post`` updates from a channel nobody registered
    alerts    alerts.in.ua entries turn unreadable while their alert is on

Counts come from the Bot API stand-in's record of the ``sendMessage`` calls it executed:
*delivered*/*lost*/*repeated* per expected message, *false alerts* = messages that should not
exist, *recovered in s* = from the end of the fault to the first delivery after it. Repeats are
allowed only inside a scenario's in-flight window (``window``: requests in flight at a kill,
requests Telegram executed but never answered). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import json
import logging
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import faults_crash  # noqa: E402
import faults_outages  # noqa: E402
import faults_sources  # noqa: E402
from faults_kit import Row  # noqa: E402

Scenario = Callable[[bool], Row]


def failover(quick: bool) -> Row:
    """``benchmarks/failover.py`` (two ``sitrep run`` on PostgreSQL, the leader SIGKILLed
    mid-broadcast) when it is there; "not available" otherwise. Its progress lines are kept
    out of the table's output."""
    if importlib.util.find_spec("failover") is None:
        return Row("two instances, leader killed", available=False)
    with contextlib.redirect_stdout(io.StringIO()):
        result = importlib.import_module("failover").run_failover(quick)
    known = {"name", "delivered", "lost", "repeated", "false_alerts", "recovered_s", "window"}
    window = result.get("window", result.get("in_flight_at_kill", 0))
    return Row(
        str(result.get("name") or "two instances, leader killed"),
        delivered=result.get("delivered"),
        lost=result.get("lost"),
        repeated=result.get("repeated"),
        false_alerts=result.get("false_alerts"),
        recovered_s=result.get("recovered_s"),
        window=int(window or 0),
        details={k: v for k, v in result.items() if k not in known},
    )


SCENARIOS: dict[str, Scenario] = {
    "kill": lambda q: faults_crash.signal_mid_broadcast(q, signal.SIGKILL),
    "term": lambda q: faults_crash.signal_mid_broadcast(q, signal.SIGTERM),
    "429": faults_crash.rate_limit_storm,
    "flaky": faults_crash.flaky_api,
    "tg60": lambda q: faults_outages.telegram_outage(q, 10.0 if q else 60.0, "502"),
    "tg300": lambda q: faults_outages.telegram_outage(q, 40.0 if q else 300.0, "drop"),
    "db": faults_outages.database_outage,
    "failover": failover,
    "garbage": faults_sources.garbage_pages,
    "stranger": faults_sources.strangers_channel,
    "alerts": faults_sources.malformed_alerts,
}
HEADER = ("scenario", "delivered", "lost", "repeated", "false alerts", "recovered in s")


def cells(row: Row) -> tuple[str, ...]:
    if not row.available:
        return (row.name, "not available", "", "", "", "")

    def show(value: object) -> str:
        return "—" if value is None else str(value)

    repeated = show(row.repeated)
    if row.repeated and row.window:
        repeated += f" (≤ {row.window} in flight)"
    return (row.name, show(row.delivered), show(row.lost), repeated, show(row.false_alerts),
            show(row.recovered_s))  # fmt: skip


def table(rows: list[Row]) -> str:
    lines = [HEADER, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]

    def fmt(line: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([fmt(lines[0]), rule, *(fmt(line) for line in lines[1:])])


def run(names: list[str], quick: bool) -> tuple[list[Row], dict[str, object]]:
    rows: list[Row] = []
    started = time.monotonic()
    for name in names:
        t0 = time.monotonic()
        try:
            row = SCENARIOS[name](quick)
        except Exception as exc:  # a broken scenario is a finding, not the end of the suite
            logging.getLogger("faults").exception("scenario %s failed", name)
            row = Row(name, details={"error": f"{type(exc).__name__}: {exc}"})
        row.details["seconds"] = round(time.monotonic() - t0, 1)
        rows.append(row)
        print(f"# {name}: {json.dumps(row.as_dict(), ensure_ascii=False)}", flush=True)
    ran = [r for r in rows if r.available]
    fail = next((r for n, r in zip(names, rows, strict=True) if n == "failover" and r.available),
                None)  # fmt: skip
    summary: dict[str, object] = {
        "mode": "quick" if quick else "full",
        "scenarios": len(ran),
        "lost": sum(r.lost or 0 for r in ran),
        "repeated": sum(r.repeated or 0 for r in ran),
        "false_alerts": sum(r.false_alerts or 0 for r in ran),
        "repeats_outside_window": sum(max(0, (r.repeated or 0) - r.window) for r in ran),
        "failover_s": fail.recovered_s if fail is not None else None,
        "errors": [r.name for r in ran if "error" in r.details],
        "seconds": round(time.monotonic() - started, 1),
        "details": {r.name: r.as_dict() for r in rows},
    }
    return rows, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the shortened form (< 5 min)")
    ap.add_argument("--only", default="", help="comma-separated scenario names")
    args = ap.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    names = [n for n in args.only.split(",") if n] or list(SCENARIOS)
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        ap.error(f"unknown scenarios: {', '.join(unknown)} (known: {', '.join(SCENARIOS)})")
    rows, summary = run(names, args.quick)
    print(table(rows))
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
