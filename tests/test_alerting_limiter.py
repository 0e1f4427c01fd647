"""ChatScheduler priority: among chats that may send, the best class goes first, and within a
chat a threat overtakes queued reports (fake clock, no sleeping)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.alerting.limiter import ChatScheduler, RateLimits


@dataclass(frozen=True)
class J:
    chat: int
    priority: int
    name: str


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def scheduler(clock: Clock, priority: bool = True) -> ChatScheduler[J]:
    limits = RateLimits(per_chat_per_s=1.0, per_chat_burst=1.0)
    return ChatScheduler(
        limits, lambda j: j.chat, lambda j: False, clock,
        priority_of=(lambda j: j.priority) if priority else (lambda j: 0),
    )  # fmt: skip


async def test_threats_go_before_reports_across_chats() -> None:
    clock = Clock()
    sched = scheduler(clock)
    for chat in range(5):
        sched.add(J(chat, 1, f"report{chat}"))
    for chat in range(5, 8):
        sched.add(J(chat, 0, f"threat{chat}"))
    taken = []
    for _ in range(8):
        job = await sched.take()
        assert job is not None
        taken.append(job.name)
        sched.done(job)
    assert taken[:3] == ["threat5", "threat6", "threat7"]
    assert sorted(taken[3:]) == [f"report{c}" for c in range(5)]


async def test_a_threat_overtakes_its_chats_queued_report() -> None:
    clock = Clock()
    sched = scheduler(clock)
    sched.add(J(1, 1, "report-a"))
    sched.add(J(1, 2, "digest"))
    sched.add(J(1, 1, "report-b"))
    sched.add(J(1, 0, "threat"))
    order = []
    for _ in range(4):
        job = await sched.take()
        assert job is not None
        order.append(job.name)
        sched.done(job)
        clock.now += 1.0  # the chat's own 1/s limit
    assert order == ["threat", "report-a", "report-b", "digest"]


async def test_without_priority_it_is_first_come_first_served() -> None:
    clock = Clock()
    sched = scheduler(clock, priority=False)
    sched.add(J(1, 1, "report"))
    sched.add(J(2, 0, "threat"))
    first = await sched.take()
    assert first is not None and first.name == "report"
