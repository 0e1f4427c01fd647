"""Bot API methods of the stand-in (except getUpdates' waiting, which is async, and the
webhook methods, which live with their delivery in ``botapi_webhook``).

``call(state, method, params)`` returns ``(http_status, payload)`` exactly as Telegram shapes
it, and records the call. Each method runs under the state lock.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from bot.standins.botapi_state import JSON, ApiError, BotState, Chat, SentMessage, bad_request
from bot.standins.botapi_text import check_reply_markup, parse_text

# Parameters Telegram reads as strings even when they look like numbers or JSON.
# fmt: off
STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "url", "action", "language_code",
    "inline_message_id", "secret_token", "ip_address", "business_connection_id", "description",
    "short_description", "name", "certificate", "custom_title",
})
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
# fmt: on
Method = Callable[[BotState, JSON], Any]
METHODS: dict[str, Method] = {}


def coerce(name: str, value: Any) -> Any:
    """Form values arrive as strings; PTB JSON-encodes non-string parameters."""
    if not isinstance(value, str) or name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def api(name: str) -> Callable[[Method], Method]:
    def register(fn: Method) -> Method:
        METHODS[name.lower()] = fn
        return fn

    return register


def call(state: BotState, method: str, params: JSON) -> tuple[int, JSON]:
    fn = METHODS.get(method.lower())
    if fn is None:
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
    with state.lock:
        try:
            result = fn(state, params)
        except ApiError as err:
            state.record(method, params, err.code, err.description)
            return err.code, err.payload()
        state.record(method, params, 200, None)
        return 200, {"ok": True, "result": result}


# ---- helpers ------------------------------------------------------------------------------


def _int(params: JSON, name: str, required: bool = True) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f"{name} is empty" if name != "chat_id" else "chat_id is empty")
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def _chat(st: BotState, params: JSON) -> Chat:
    raw = params.get("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    if isinstance(raw, str) and raw.startswith("@"):
        for chat in st.chats.values():
            if chat.username and chat.username.lower() == raw[1:].lower():
                return chat
        raise bad_request("chat not found")
    try:
        return st.chat(int(raw))
    except (TypeError, ValueError):
        raise bad_request("chat not found") from None


def _check_can_write(st: BotState, chat: Chat) -> None:
    if chat.type == "private" and chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if chat.kicked:
        kind = "channel chat" if chat.type == "channel" else f"{chat.type} chat"
        raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
    if chat.left:
        raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")


def message_obj(st: BotState, m: SentMessage) -> JSON:
    out: JSON = {
        "message_id": m.message_id,
        "from": st.bot_user(),
        "chat": st.chats[m.chat_id].obj(),
        "date": m.date,
    }
    if m.photo is not None:
        out["photo"] = m.photo
        if m.text:
            out["caption"] = m.text
            out["caption_entities"] = m.entities
    else:
        out["text"] = m.text
    if m.edit_date is not None:
        out["edit_date"] = m.edit_date
    if m.reply_markup is not None:
        out["reply_markup"] = m.reply_markup
    if m.reply_to_message_id is not None:
        ref = st.incoming.get((m.chat_id, m.reply_to_message_id))
        if ref is None and m.reply_to_message_id in st.messages.get(m.chat_id, {}):
            ref = message_obj(st, st.messages[m.chat_id][m.reply_to_message_id])
            ref.pop("reply_to_message", None)
        if ref is not None:
            out["reply_to_message"] = ref
    return out


def _find_message(st: BotState, chat: Chat, params: JSON, missing: str) -> SentMessage:
    if params.get("inline_message_id"):
        raise bad_request("inline messages are not supported by the stand-in")
    mid = _int(params, "message_id")
    msg = st.messages.get(chat.id, {}).get(mid or 0)
    if msg is None or msg.deleted:
        raise bad_request(missing)
    return msg


def _reply_to(st: BotState, chat: Chat, params: JSON) -> int | None:
    ref = params.get("reply_parameters") or {}
    mid = ref.get("message_id") if isinstance(ref, dict) else None
    mid = mid if mid is not None else params.get("reply_to_message_id")
    if mid is None:
        return None
    mid = int(mid)
    known = (chat.id, mid) in st.incoming or mid in st.messages.get(chat.id, {})
    if not known:
        lenient = params.get("allow_sending_without_reply") or (
            isinstance(ref, dict) and ref.get("allow_sending_without_reply")
        )
        if not lenient:
            raise bad_request("message to be replied not found")
        return None
    return mid


# ---- methods ------------------------------------------------------------------------------


@api("getMe")
def get_me(st: BotState, params: JSON) -> JSON:
    return {
        **st.bot_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api("sendMessage")
def send_message(st: BotState, params: JSON) -> JSON:
    chat = _chat(st, params)
    text, entities = parse_text(params.get("text"), params.get("parse_mode"))
    markup = check_reply_markup(params.get("reply_markup"))
    reply_to = _reply_to(st, chat, params)
    _check_can_write(st, chat)
    st.take_send_slot(chat)
    msg = SentMessage(
        chat_id=chat.id,
        message_id=st.next_message_id(chat),
        text=text,
        source_text=params["text"],
        parse_mode=params.get("parse_mode"),
        date=int(time.time()),
        reply_markup=markup,
        entities=entities,
        reply_to_message_id=reply_to,
    )
    st.messages.setdefault(chat.id, {})[msg.message_id] = msg
    return message_obj(st, msg)


def _edit(st: BotState, msg: SentMessage, **changes: Any) -> None:
    msg.history.append(
        {"text": msg.text, "source_text": msg.source_text, "parse_mode": msg.parse_mode,
         "reply_markup": msg.reply_markup, "entities": msg.entities,
         "edit_date": msg.edit_date}
    )  # fmt: skip
    for key, value in changes.items():
        setattr(msg, key, value)
    msg.edit_date = int(time.time())


@api("editMessageText")
def edit_message_text(st: BotState, params: JSON) -> JSON:
    chat = _chat(st, params)
    text, entities = parse_text(params.get("text"), params.get("parse_mode"))
    markup = check_reply_markup(params.get("reply_markup"))
    msg = _find_message(st, chat, params, "message to edit not found")
    _check_can_write(st, chat)
    if msg.photo:  # a photo's caption is edited with editMessageCaption
        raise bad_request("there is no text in the message to edit")
    if text == msg.text and entities == msg.entities and markup == msg.reply_markup:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    _edit(st, msg, text=text, source_text=params["text"], entities=entities,
          parse_mode=params.get("parse_mode"), reply_markup=markup)  # fmt: skip
    return message_obj(st, msg)


@api("editMessageReplyMarkup")
def edit_message_reply_markup(st: BotState, params: JSON) -> JSON:
    chat = _chat(st, params)
    markup = check_reply_markup(params.get("reply_markup"))
    msg = _find_message(st, chat, params, "message to edit not found")
    _check_can_write(st, chat)
    if markup == msg.reply_markup:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    _edit(st, msg, reply_markup=markup)
    return message_obj(st, msg)


@api("deleteMessage")
def delete_message(st: BotState, params: JSON) -> bool:
    chat = _chat(st, params)
    msg = _find_message(st, chat, params, "message to delete not found")
    msg.deleted = True
    return True


@api("answerCallbackQuery")
def answer_callback_query(st: BotState, params: JSON) -> bool:
    query = st.callback_queries.get(str(params.get("callback_query_id", "")))
    if query is None or query.get("answered") is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query["answered"] = {k: v for k, v in params.items() if k != "callback_query_id"}
    return True


@api("sendChatAction")
def send_chat_action(st: BotState, params: JSON) -> bool:
    chat = _chat(st, params)
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    _check_can_write(st, chat)
    return True


@api("getChat")
def get_chat(st: BotState, params: JSON) -> JSON:
    chat = _chat(st, params)
    gifts = dict.fromkeys(
        ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
         "gifts_from_channels"), False
    )  # fmt: skip
    return {**chat.obj(), "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": gifts}  # fmt: skip


@api("getChatMember")
def get_chat_member(st: BotState, params: JSON) -> JSON:
    chat = _chat(st, params)
    user_id = _int(params, "user_id")
    assert user_id is not None
    return st.member_obj(chat.id, user_id, st.member_status(chat, user_id))


@api("getChatAdministrators")
def get_chat_administrators(st: BotState, params: JSON) -> list[JSON]:
    chat = _chat(st, params)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    return [
        st.member_obj(chat.id, uid, status)
        for uid, status in chat.members.items()
        if status in ("creator", "administrator")
    ]


@api("leaveChat")
def leave_chat(st: BotState, params: JSON) -> bool:
    chat = _chat(st, params)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    chat.left = True
    return True


def _scope_key(params: JSON) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + "|" + str(params.get("language_code") or "")


@api("setMyCommands")
def set_my_commands(st: BotState, params: JSON) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else
                          "parameter \"commands\" is required")  # fmt: skip
    for cmd in commands:
        name = str(cmd.get("command", "")) if isinstance(cmd, dict) else ""
        desc = str(cmd.get("description", "")) if isinstance(cmd, dict) else ""
        ok_name = 1 <= len(name) <= 32 and all(c.islower() or c.isdigit() or c == "_"
                                               for c in name)  # fmt: skip
        if not ok_name or not name.isascii():
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(desc) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    st.commands[_scope_key(params)] = [dict(c) for c in commands]
    return True


@api("getMyCommands")
def get_my_commands(st: BotState, params: JSON) -> list[JSON]:
    return [dict(c) for c in st.commands.get(_scope_key(params), [])]


@api("deleteMyCommands")
def delete_my_commands(st: BotState, params: JSON) -> bool:
    st.commands.pop(_scope_key(params), None)
    return True


@api("setChatMenuButton")
def set_chat_menu_button(st: BotState, params: JSON) -> bool:
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands",
                                                                   "web_app"):  # fmt: skip
        raise bad_request("can't parse menu button")
    st.menu_buttons[str(params.get("chat_id") or "")] = button
    return True


@api("getChatMenuButton")
def get_chat_menu_button(st: BotState, params: JSON) -> JSON:
    key = str(params.get("chat_id") or "")
    return st.menu_buttons.get(key) or st.menu_buttons.get("") or {"type": "commands"}


@api("close")
def close(st: BotState, params: JSON) -> bool:
    return True


@api("logOut")
def log_out(st: BotState, params: JSON) -> bool:
    return True
