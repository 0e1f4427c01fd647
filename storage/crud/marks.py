"""Job marks: a job's progress shared by every instance, claimed slot by slot."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from storage.crud._util import insert_for
from storage.models import JobMark


def job_mark(session: Session, name: str) -> int | None:
    """The last slot claimed for job ``name``, or ``None`` if it never ran."""
    row = session.get(JobMark, name)
    return None if row is None else row.slot


def claim_slot(session: Session, name: str, slot: int) -> bool:
    """Move ``name``'s mark forward to ``slot``; ``True`` for the one caller that did.

    A mark already at or past ``slot`` means another instance (or an earlier run) has it. On
    PostgreSQL two concurrent callers serialise on the row (or on the key, for the first
    insert); the second sees the moved mark and gets ``False``.
    """
    moved = session.execute(
        update(JobMark).where(col(JobMark.name) == name, col(JobMark.slot) < slot).values(slot=slot)
    )
    if getattr(moved, "rowcount", 0):
        return True
    first = (
        insert_for(session, JobMark)
        .values(name=name, slot=slot)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    return bool(getattr(session.execute(first), "rowcount", 0))
