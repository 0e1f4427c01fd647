"""``/admin``'s report for the operator, read in one transaction: are the sources alive, who
posts to the bot without being trusted, how many chats follow what, how the outbox stands."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.i18n import catalog, t
from bot.latest import fmt_num, fmt_time, is_stale
from storage import crud
from storage.crud.admin import SourceRow

ERROR_SHOWN: Final = 80  # characters of a source's last error


def _source_line(lang: str, row: SourceRow, now: datetime, zone: ZoneInfo) -> str:
    def when(at: datetime | None) -> str:
        return fmt_time(lang, at, now, zone) if at is not None else t(lang, "admin.never")

    values: dict[str, Any] = {
        "channel": html.escape(row.username),
        "polled": when(row.last_poll_at),
        "post": when(row.last_post_at),
        "stale": t(lang, "admin.stale") if is_stale(row, now) else "",
    }
    if row.last_poll_at is None:
        return t(lang, "admin.source_never", channel=values["channel"], stale=values["stale"])
    if row.last_poll_ok is False:
        error = (row.last_error or "?").replace("\n", " ")
        short = error if len(error) <= ERROR_SHOWN else error[: ERROR_SHOWN - 1] + "…"
        return t(
            lang, "admin.source_error", errors=row.consecutive_errors, error=html.escape(short),
            **values,
        )  # fmt: skip
    return t(lang, "admin.source_ok", **values)


def _untrusted_lines(
    session: Session, lang: str, now: datetime, zone: ZoneInfo, exclude: tuple[str, ...]
) -> list[str]:
    rows = crud.untrusted_sources(session, exclude=exclude)
    if not rows:
        return []
    lines = ["", t(lang, "admin.untrusted", n=len(rows))]
    for row in rows:
        why = "admin.why_unconfirmed" if row.enabled else "admin.why_unregistered"
        post = fmt_time(lang, row.last_post_at, now, zone) if row.last_post_at else "—"
        lines.append(
            t(
                lang,
                "admin.untrusted_item",
                channel=html.escape(row.username),
                why=t(lang, why),
                posts=fmt_num(lang, row.posts),
                post=post,
            )
        )
    return lines


def admin_report(
    session: Session, lang: str, now: datetime, zone: ZoneInfo, *, exclude: tuple[str, ...] = ()
) -> str:
    """The report: sources and their health, untrusted channels posting to the bot (but
    ``exclude``), subscribers by region, the outbox."""
    sources = crud.sources_health(session)
    lines = [t(lang, "admin.title", time=fmt_time(lang, now, now, zone)), ""]
    lines.append(t(lang, "admin.sources", n=len(sources)))
    lines += [_source_line(lang, s, now, zone) for s in sources] or [t(lang, "admin.no_sources")]
    lines += _untrusted_lines(session, lang, now, zone, exclude)
    totals = crud.chat_totals(session)
    lines += ["", t(lang, "admin.subscribers", active=fmt_num(lang, totals.active),
                    groups=fmt_num(lang, totals.groups))]  # fmt: skip
    regions = crud.subscribers_by_region(session)
    lines += [
        t(
            lang,
            "admin.region",
            region=html.escape(catalog(lang).get(f"region.{r}", r)),
            n=fmt_num(lang, n),
        )
        for r, n in regions
    ] or [t(lang, "admin.no_subscribers")]
    counts = {k: fmt_num(lang, v) for k, v in crud.outbox_counts(session).items()}
    lines += ["", t(lang, "admin.outbox", **counts)]
    return "\n".join(lines)
