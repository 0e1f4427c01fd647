"""Things users and Telegram do to the bot: realistic updates, blocks, kicks, admin lists.

``control(state, op, kwargs)`` is the single entry point used both in-thread and by the
``/_control/<op>`` HTTP endpoints; it answers JSON-able values only.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from bot.standins.botapi_methods import message_obj
from bot.standins.botapi_state import JSON, BotState, Chat, Limits, utf16_len


def _now() -> int:
    return int(time.time())


def _sender(st: BotState, user_id: int, language_code: str | None, **extra: Any) -> JSON:
    user = st.users.setdefault(
        user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
    )
    if language_code:
        user["language_code"] = language_code
    user.update({k: v for k, v in extra.items() if v is not None})
    return dict(user)


def send_text(
    st: BotState,
    chat_id: int,
    text: str,
    user_id: int | None = None,
    language_code: str | None = "uk",
    chat_type: str | None = None,
    title: str | None = None,
    first_name: str | None = None,
    username: str | None = None,
) -> JSON:
    """A user writes ``text`` in ``chat_id``; commands get a ``bot_command`` entity."""
    with st.lock:
        chat = st.chat(chat_id, chat_type, title)
        uid = user_id if user_id is not None else (chat_id if chat.type == "private" else 1)
        user = _sender(st, uid, language_code, first_name=first_name, username=username)
        if chat.type == "private":
            chat.first_name = user["first_name"]
            chat.username = user.get("username")
        msg: JSON = {
            "message_id": st.next_message_id(chat),
            "from": user,
            "chat": chat.obj(),
            "date": _now(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        st.incoming[(chat_id, msg["message_id"])] = msg
        return st.push_update("message", msg)


def tap(
    st: BotState,
    chat_id: int,
    message_id: int,
    data: str,
    user_id: int | None = None,
    language_code: str | None = "uk",
) -> JSON:
    """A user taps an inline button with ``data`` under the bot's message ``message_id``."""
    with st.lock:
        msg = st.messages.get(chat_id, {}).get(message_id)
        if msg is None or msg.deleted:
            raise ValueError(f"the bot has no message {message_id} in chat {chat_id}")
        chat = st.chats[chat_id]
        uid = user_id if user_id is not None else (chat_id if chat.type == "private" else 1)
        query_id = str(next(st._query_ids))
        query: JSON = {
            "id": query_id,
            "from": _sender(st, uid, language_code),
            "message": message_obj(st, msg),
            "chat_instance": str(abs(hash((st.bot_id, chat_id))) % 10**18),
            "data": data,
        }
        st.callback_queries[query_id] = {"query": query, "answered": None}
        return st.push_update("callback_query", query)


def _channel(st: BotState, chat_id: int, username: str | None, title: str | None) -> Chat:
    chat = st.chat(chat_id, "channel", title or (username and f"@{username}"))
    chat.type = "channel"
    if username:
        chat.username = username
    return chat


def channel_post(
    st: BotState,
    chat_id: int,
    username: str | None,
    text: str,
    message_id: int,
    edited: bool = False,
    title: str | None = None,
    photo: bool = False,
) -> JSON:
    """A post (or its edit) in a channel where the bot is an admin; with ``photo`` the text
    is the photo's caption."""
    with st.lock:
        chat = _channel(st, chat_id, username, title)
        chat.next_id = max(chat.next_id, message_id + 1)
        post: JSON = {
            "message_id": message_id,
            "sender_chat": chat.obj(),
            "chat": chat.obj(),
            "date": _now() - (60 if edited else 0),
            "text": text,
        }
        if photo:
            del post["text"]
            size = {"file_id": f"photo-{message_id}", "file_unique_id": f"p{message_id}"}
            post["photo"] = [{**size, "width": 800, "height": 600}]
            if text:
                post["caption"] = text
        if edited:
            post["edit_date"] = _now()
        return st.push_update("edited_channel_post" if edited else "channel_post", post)


def forward_from_channel(
    st: BotState,
    chat_id: int,
    user_id: int,
    channel_id: int,
    channel_username: str | None,
    message_id: int,
    text: str,
    language_code: str | None = "uk",
    channel_title: str | None = None,
) -> JSON:
    """A user forwards channel post ``message_id`` to the bot (Bot API 7 ``forward_origin``)."""
    with st.lock:
        channel = _channel(st, channel_id, channel_username, channel_title)
        chat = st.chat(chat_id)
        msg: JSON = {
            "message_id": st.next_message_id(chat),
            "from": _sender(st, user_id, language_code),
            "chat": chat.obj(),
            "date": _now(),
            "forward_origin": {
                "type": "channel",
                "date": _now() - 300,
                "chat": channel.obj(),
                "message_id": message_id,
            },
            "forward_date": _now() - 300,
            "text": text,
        }
        st.incoming[(chat_id, msg["message_id"])] = msg
        return st.push_update("message", msg)


def my_chat_member(
    st: BotState,
    chat_id: int,
    new_status: str,
    user_id: int | None = None,
    old_status: str | None = None,
    chat_type: str | None = None,
    title: str | None = None,
) -> JSON:
    """The bot's own membership changes (blocked/unblocked in private, kicked/added in groups)."""
    with st.lock:
        chat = st.chat(chat_id, chat_type, title)
        old = old_status or st.member_status(chat, st.bot_id)
        if chat.type == "private":
            chat.blocked = new_status == "kicked"
        else:
            chat.kicked = new_status == "kicked"
            chat.left = new_status == "left"
            if new_status in ("administrator", "member"):
                chat.members[st.bot_id] = new_status
        uid = user_id if user_id is not None else (chat_id if chat.type == "private" else 1)
        change = {
            "chat": chat.obj(),
            "from": _sender(st, uid, None),
            "date": _now(),
            "old_chat_member": st.member_obj(chat_id, st.bot_id, old),
            "new_chat_member": st.member_obj(chat_id, st.bot_id, new_status),
        }
        return st.push_update("my_chat_member", change)


def push_update(st: BotState, kind: str, obj: JSON) -> JSON:
    """Queue any raw update (``kind`` is e.g. ``"message"``); update_id is assigned."""
    return st.push_update(kind, obj)


def block(st: BotState, chat_id: int, blocked: bool = True) -> None:
    with st.lock:
        st.chat(chat_id).blocked = blocked


def kick(st: BotState, chat_id: int, kicked: bool = True) -> None:
    with st.lock:
        st.chat(chat_id).kicked = kicked


def set_admins(
    st: BotState, chat_id: int, admin_ids: list[int], creator_id: int | None = None
) -> None:
    """Configure a group's admins (everyone else is a ``member``)."""
    with st.lock:
        chat = st.chat(chat_id)
        chat.members = {u: s for u, s in chat.members.items() if s not in ("administrator",
                                                                           "creator")}  # fmt: skip
        chat.members.update(dict.fromkeys(admin_ids, "administrator"))
        if creator_id is not None:
            chat.members[creator_id] = "creator"


def set_member(st: BotState, chat_id: int, user_id: int, status: str) -> None:
    with st.lock:
        st.chat(chat_id).members[user_id] = status


def set_limits(st: BotState, limits: JSON | None) -> None:
    st.set_limits(Limits(**limits) if limits is not None else None)


def get_limits(st: BotState) -> JSON | None:
    with st.lock:
        return asdict(st.limits) if st.limits else None


def sent(st: BotState, chat_id: int, include_deleted: bool = False) -> list[JSON]:
    return [m.to_dict() for m in st.sent(chat_id, include_deleted)]


def calls(st: BotState, method: str | None = None, ok: bool | None = None) -> list[JSON]:
    return [c.to_dict() for c in st.calls(method, ok)]


def call_count(st: BotState, method: str | None = None, ok: bool | None = None) -> int:
    return len(st.calls(method, ok))


def rate_limited(st: BotState) -> int:
    with st.lock:
        return st.rate_limited


def pending_updates(st: BotState) -> list[JSON]:
    with st.lock:
        return [dict(u) for u in st.updates]


def callback_answer(st: BotState, query_id: str) -> JSON | None:
    with st.lock:
        entry = st.callback_queries.get(str(query_id))
        return dict(entry["answered"]) if entry and entry["answered"] is not None else None


def webhook(st: BotState) -> JSON:
    with st.lock:
        return dict(st.webhook)


def webhook_route(st: BotState, public: str, local: str | list[str]) -> None:
    """Play the operator's reverse proxy: POSTs for ``public…`` go to ``local…`` (a list:
    in turn, like a load balancer in front of several instances)."""
    with st.lock:
        st.webhook_routes[public] = [local] if isinstance(local, str) else list(local)


def webhook_retries(st: BotState, attempts: int, backoff_s: list[float]) -> None:
    """How often a webhook POST is tried before the update is given up, and the pauses."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    with st.lock:
        st.webhook_retries = (attempts, [float(b) for b in backoff_s])


def webhook_log(st: BotState) -> JSON:
    """Delivery attempts (update_id, status, error, time) and the update ids given up."""
    with st.lock:
        return {"attempts": [dict(a) for a in st.webhook_log],
                "given_up": list(st.webhook_given_up)}  # fmt: skip


def commands(st: BotState) -> dict[str, list[JSON]]:
    with st.lock:
        return {k: list(v) for k, v in st.commands.items()}


def clear_records(st: BotState) -> None:
    st.clear_records()


def outage(st: BotState, seconds: float, mode: str = "502") -> None:
    """Telegram is down for ``seconds`` from now (0 ends it): every Bot API request answers
    502 Bad Gateway (``mode="502"``) or has its connection closed unanswered (``"drop"``)."""
    if mode not in ("502", "drop"):
        raise ValueError(f"unknown outage mode {mode!r}")
    with st.lock:
        st.outage_until = st.clock() + seconds
        st.outage_mode = mode


def in_outage(st: BotState) -> str | None:
    """The outage mode while one lasts, else ``None``."""
    with st.lock:
        return st.outage_mode if st.clock() < st.outage_until else None


def flaky(
    st: BotState, p_5xx: float = 0.0, p_hang: float = 0.0, hang_s: float = 20.0, seed: int = 0
) -> None:
    """Random faults on every Bot API request but ``getUpdates``: a share ``p_5xx`` answers
    500 without being executed, a share ``p_hang`` is executed and then never answered (the
    connection held ``hang_s`` seconds, then closed), as an overloaded Telegram does."""
    import random

    with st.lock:
        st.flaky_5xx, st.flaky_hang, st.flaky_hang_s = p_5xx, p_hang, hang_s
        st.flaky_rand = random.Random(seed).random


def draw_fault(st: BotState) -> str | None:
    """``"5xx"``, ``"hang"`` or ``None`` for the next request, counted in ``st.faults``."""
    with st.lock:
        if not (st.flaky_5xx or st.flaky_hang):
            return None
        roll = st.flaky_rand()
        kind = (
            "5xx"
            if roll < st.flaky_5xx
            else "hang"
            if roll < st.flaky_5xx + st.flaky_hang
            else None
        )
        if kind is not None:
            st.faults[kind] += 1
        return kind


def faults(st: BotState) -> dict[str, int]:
    with st.lock:
        return dict(st.faults)


CONTROL_OPS = {
    fn.__name__: fn
    for fn in (send_text, tap, channel_post, forward_from_channel, my_chat_member, push_update,
               block, kick, set_admins, set_member, set_limits, get_limits, sent, calls,
               call_count, rate_limited, pending_updates, callback_answer, webhook, webhook_route,
               webhook_retries, webhook_log, commands, clear_records, outage, in_outage, flaky,
               faults)
}  # fmt: skip


def control(st: BotState, op: str, kwargs: JSON) -> Any:
    fn = CONTROL_OPS.get(op)
    if fn is None:
        raise KeyError(op)
    return fn(st, **kwargs)
