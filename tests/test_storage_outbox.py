"""Outbox: idempotent enqueue, atomic claims (also under concurrency), retries, recovery."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from storage import crud
from storage.db import session_scope

T0 = datetime(2025, 11, 25, 8, 0, tzinfo=UTC)


def _event_and_chats(engine: Engine, n_chats: int = 3) -> tuple[int, list[int]]:
    chats = [-(10**12) - i for i in range(n_chats)]
    with session_scope(engine) as s:
        ch = crud.upsert_channel(s, "kpszsu", kind="air_force")
        post, _ = crud.upsert_post(
            s, channel_id=ch.id or 0, message_id=1, text="x", published_at=T0
        )
        (event,) = crud.replace_events_for_post(
            s, post.id or 0, [crud.EventData("drones", ["UA-74"])]
        ).created
        for chat_id in chats:
            crud.upsert_chat(s, chat_id, type="supergroup")
        return event.id or 0, chats


def _status(engine: Engine, outbox_id: int) -> tuple[str, int]:
    with session_scope(engine, readonly=True) as s:
        row = crud.get_outbox(s, outbox_id)
        assert row is not None
        return row.status, row.attempts


def test_enqueue_is_idempotent(engine: Engine) -> None:
    event_id, chats = _event_and_chats(engine)
    with session_scope(engine) as s:
        first = crud.enqueue(s, event_id, chats + chats[:1], now=T0)
        assert len(first) == 3
    with session_scope(engine) as s:
        assert crud.enqueue(s, event_id, chats, now=T0) == []
        assert crud.enqueue(s, event_id, [], now=T0) == []
        # a happening key dedups across events; it is a different key from "<event>:<chat>"
        assert len(crud.enqueue(s, event_id, chats[:1], happening="alert:UA-74:1")) == 1
        assert crud.enqueue(s, event_id, chats[:1], happening="alert:UA-74:1") == []
    with session_scope(engine, readonly=True) as s:
        row = crud.get_outbox(s, first[0])
        assert row is not None
        assert (row.dedup_key, row.status, row.attempts) == (f"{event_id}:{chats[0]}", "pending", 0)


def test_enqueue_many_chunks(engine: Engine) -> None:
    event_id, chats = _event_and_chats(engine, n_chats=600)
    with session_scope(engine) as s:
        assert len(crud.enqueue(s, event_id, chats, now=T0)) == 600
    with session_scope(engine) as s:
        assert len(crud.enqueue(s, event_id, chats, now=T0)) == 0


def test_claim_lifecycle(engine: Engine) -> None:
    event_id, chats = _event_and_chats(engine)
    with session_scope(engine) as s:
        a, b, c = crud.enqueue(s, event_id, chats, now=T0)
        assert crud.enqueue(s, event_id, [], now=T0) == []
    with session_scope(engine) as s:
        assert crud.claim_due(s, 10, now=T0 - timedelta(seconds=1)) == []  # nothing due yet
        claimed = crud.claim_due(s, 2, now=T0)
        assert [r.id for r in claimed] == [a, b]
        assert all(
            r.status == "sending" and r.attempts == 1 and r.claimed_at == T0 for r in claimed
        )
    with session_scope(engine) as s:
        assert [r.id for r in crud.claim_due(s, 10, now=T0)] == [c]
        assert crud.claim_due(s, 10, now=T0) == []
    with session_scope(engine) as s:
        assert crud.mark_sent(s, a, 555, now=T0)
        assert crud.mark_retry(s, b, T0 + timedelta(minutes=1), RuntimeError("429"))
        assert crud.mark_dead(s, c, "Forbidden: bot was blocked")
        assert not crud.mark_sent(s, 10**9, 1)
    with session_scope(engine, readonly=True) as s:
        sent = crud.get_outbox(s, a)
        assert sent is not None and (sent.telegram_message_id, sent.sent_at) == (555, T0)
        failed = crud.get_outbox(s, b)
        assert failed is not None and failed.last_error == "RuntimeError: 429"
    assert _status(engine, b) == ("failed", 1)
    assert _status(engine, c) == ("dead", 1)
    with session_scope(engine) as s:
        assert crud.claim_due(s, 10, now=T0 + timedelta(seconds=30)) == []
        (again,) = crud.claim_due(s, 10, now=T0 + timedelta(minutes=1))
        assert (again.id, again.attempts) == (b, 2)


def test_requeue_stale_sending(engine: Engine) -> None:
    event_id, chats = _event_and_chats(engine)
    with session_scope(engine) as s:
        ids = crud.enqueue(s, event_id, chats, now=T0)
    with session_scope(engine) as s:
        crud.claim_due(s, 2, now=T0)
    with session_scope(engine) as s:
        crud.claim_due(s, 1, now=T0 + timedelta(minutes=10))
    with session_scope(engine) as s:
        assert (
            crud.requeue_stale_sending(s, T0 + timedelta(minutes=5), now=T0 + timedelta(minutes=11))
            == 2
        )
    assert [_status(engine, i)[0] for i in ids] == ["pending", "pending", "sending"]
    with session_scope(engine) as s:
        assert [r.id for r in crud.claim_due(s, 10, now=T0 + timedelta(minutes=11))] == ids[:2]


def test_deactivate_chat_kills_pending_outbox(engine: Engine) -> None:
    event_id, chats = _event_and_chats(engine, n_chats=2)
    with session_scope(engine) as s:
        ids = crud.enqueue(s, event_id, chats, now=T0)
        crud.deactivate_chat(s, chats[0])
    assert _status(engine, ids[0]) == ("dead", 0)
    assert _status(engine, ids[1]) == ("pending", 0)


def test_forget_chat_and_deleted_event_cascade(engine: Engine) -> None:
    event_id, chats = _event_and_chats(engine, n_chats=2)
    with session_scope(engine) as s:
        ids = crud.enqueue(s, event_id, chats, now=T0)
        crud.forget_chat(s, chats[0])
    with session_scope(engine, readonly=True) as s:
        assert crud.get_outbox(s, ids[0]) is None
        row = crud.get_outbox(s, ids[1])
        assert row is not None
        channel = crud.get_channel_by_username(s, "kpszsu")
        assert channel is not None
        post_id = crud.get_post(s, channel.id or 0, 1)
    with session_scope(engine) as s:
        assert post_id is not None
        crud.replace_events_for_post(s, post_id.id or 0, [])
    with session_scope(engine, readonly=True) as s:
        assert crud.get_outbox(s, ids[1]) is None


def test_concurrent_claimers_never_share_a_row(engine: Engine) -> None:
    event_id, chats = _event_and_chats(engine, n_chats=300)
    with session_scope(engine) as s:
        crud.enqueue(s, event_id, chats, now=T0)
    claimed: list[list[int]] = [[], [], [], []]
    errors: list[BaseException] = []
    start = threading.Barrier(len(claimed))

    def worker(slot: int) -> None:
        try:
            start.wait()
            while True:
                with session_scope(engine) as s:
                    rows = crud.claim_due(s, 7, now=T0)
                if not rows:
                    return
                claimed[slot].extend(r.id or 0 for r in rows)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(claimed))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    everything = [i for ids in claimed for i in ids]
    assert len(everything) == 300
    assert not [i for i, n in Counter(everything).items() if n > 1]
    assert sum(1 for ids in claimed if ids) >= 2  # the claimers really did interleave


def test_claim_takes_threats_before_reports_before_digests(engine: Engine) -> None:
    event_id, chats = _event_and_chats(engine)
    with session_scope(engine) as s:
        digest, *_ = crud.enqueue(s, event_id, chats[:1], klass="digest", now=T0 - timedelta(minutes=2))  # fmt: skip
        report, *_ = crud.enqueue(s, event_id, chats[1:2], klass="report", now=T0 - timedelta(minutes=1))  # fmt: skip
        threat, *_ = crud.enqueue(s, event_id, chats[2:], klass="threat", now=T0)
    with session_scope(engine) as s:
        assert [r.id for r in crud.claim_due(s, 2, now=T0)] == [threat, report]
        assert [r.id for r in crud.claim_due(s, 5, now=T0)] == [digest]
    with session_scope(engine) as s:  # without priority: oldest first, whatever the class
        crud.release(s, [digest, report, threat], now=T0)
    with session_scope(engine) as s:
        rows = crud.claim_due(s, 3, now=T0, by_priority=False)
        assert [r.id for r in rows] == [digest, report, threat]


def test_unknown_class_is_refused(engine: Engine) -> None:
    event_id, chats = _event_and_chats(engine)
    with session_scope(engine) as s:
        try:
            crud.enqueue(s, event_id, chats, klass="gossip", now=T0)
        except ValueError as err:
            assert "gossip" in str(err)
        else:
            raise AssertionError("accepted an unknown class")


def test_expire_overdue_by_class_time_to_live(engine: Engine) -> None:
    event_id, chats = _event_and_chats(engine)
    with session_scope(engine) as s:
        threat, *_ = crud.enqueue(s, event_id, chats[:1], klass="threat", now=T0)
        report, *_ = crud.enqueue(s, event_id, chats[1:2], klass="report", now=T0)
        held, *_ = crud.enqueue(s, event_id, chats[2:], klass="threat", now=T0)
        crud.claim_due(s, 1, now=T0)  # claims one threat: in hand, not expired
    ttl = {"threat": 1800.0, "report": 43200.0, "digest": 86400.0}
    with session_scope(engine) as s:
        assert crud.expire_overdue(s, ttl, now=T0 + timedelta(minutes=29)) == 0
        assert crud.expire_overdue(s, ttl, now=T0 + timedelta(minutes=31)) == 1
    statuses = {i: _status(engine, i)[0] for i in (threat, report, held)}
    assert sorted(statuses.values()) == ["expired", "pending", "sending"]
    assert statuses[report] == "pending"
    with session_scope(engine, readonly=True) as s:
        assert crud.outbox_counts(s)["expired"] == 1


def test_periodic_requeue_leaves_rows_in_hand_alone(engine: Engine) -> None:
    event_id, chats = _event_and_chats(engine)
    with session_scope(engine) as s:
        ids = crud.enqueue(s, event_id, chats, now=T0)
        crud.claim_due(s, 3, now=T0)
    later = T0 + timedelta(minutes=5)
    with session_scope(engine) as s:
        n = crud.requeue_stale_sending(s, later, now=later, keep={ids[0]})
        assert n == 2
    assert [_status(engine, i)[0] for i in ids] == ["sending", "pending", "pending"]


def test_a_renewed_claim_is_not_stale(engine: Engine) -> None:
    """Several dispatchers: a live one renews its lease, so only a dead one's rows go back."""
    event_id, chats = _event_and_chats(engine)
    with session_scope(engine) as s:
        ids = crud.enqueue(s, event_id, chats, now=T0)
        crud.claim_due(s, 3, now=T0)
    renewed = T0 + timedelta(seconds=15)
    with session_scope(engine) as s:
        assert crud.renew_claims(s, {ids[0], ids[1]}, now=renewed) == 2
    later = T0 + timedelta(seconds=25)
    with session_scope(engine) as s:  # a sweep by another instance: stale = unrenewed for 20 s
        assert crud.requeue_stale_sending(s, later - timedelta(seconds=20), now=later) == 1
    assert [_status(engine, i)[0] for i in ids] == ["sending", "sending", "pending"]
    with session_scope(engine) as s:  # a finished row is not renewed back into a claim
        crud.mark_sent(s, ids[0], 1, now=later)
        assert crud.renew_claims(s, {ids[0]}, now=later) == 0
