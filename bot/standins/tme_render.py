"""Render t.me/s/<username> pages in the real markup (as public scrapers see it)."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.standins.tme_server import Post

CANON = "https://t.me"

# Plain-text tokenising only (this builds HTML; it never parses any).
_TOKEN = re.compile(
    r"(?P<url>https?://\S+)|(?P<tag>#[\w]+)|(?P<emoji>[\U0001F300-\U0001FAFF\u2600-\u27BF]\ufe0f?)"
)


def _emoji_html(ch: str) -> str:
    code = ch.encode("utf-8").hex().upper()
    return (
        '<i class="emoji" style="background-image:url('
        f"'//telegram.org/img/emoji/40/{code}.png')\">"
        f"<b>{ch}</b></i>"
    )


def text_to_html(text: str) -> str:
    """Render plain post text the way t.me does: escaped, <br/>, linked hashtags, emoji."""
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        tok = m.group(0)
        if m.group("url"):
            esc = html.escape(tok)
            out.append(f'<a href="{esc}" target="_blank" rel="noopener">{esc}</a>')
        elif m.group("tag"):
            out.append(f'<a href="?q=%23{html.escape(tok[1:])}">{html.escape(tok)}</a>')
        else:
            out.append(_emoji_html(tok))
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\n", "<br/>")


def render_message(channel: str, title: str, post: Post) -> str:
    ref = f"{channel}/{post.id}"
    url = f"{CANON}/{ref}"
    view = base64.b64encode(f'{{"c":-1001,"p":{post.id}}}'.encode()).decode()
    data_post = "" if post.broken == "no_data_post" else f' data-post="{ref}"'
    parts = [
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        f'<div class="tgme_widget_message text_not_supported_wrap js-widget_message"{data_post}'
        f' data-view="{view}">',
        '<div class="tgme_widget_message_user">'
        f'<a href="{CANON}/{channel}"><i class="tgme_widget_message_user_photo bgcolor1"'
        f' data-content="{html.escape(title[:1])}"></i></a></div>',
        '<div class="tgme_widget_message_bubble">'
        '<i class="tgme_widget_message_bubble_tail"><svg class="bubble_icon" width="9px"'
        ' height="20px" viewBox="0 0 9 20"></svg></i>',
        '<div class="tgme_widget_message_author accent_color">'
        f'<a class="tgme_widget_message_owner_name" href="{CANON}/{channel}">'
        f'<span dir="auto">{html.escape(title)}</span></a></div>',
    ]
    if post.forwarded_from:
        name, origin = post.forwarded_from
        parts.append(
            '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
            f'<a class="tgme_widget_message_forwarded_from_name" href="{CANON}/{origin}/1">'
            f'<span dir="auto">{html.escape(name)}</span></a></div>'
        )
    if post.photo:
        parts.append(
            '<a class="tgme_widget_message_photo_wrap blured 5473c5a0" style="width:800px;'
            "background-image:url('https://cdn4.cdn-telegram.org/file/x.jpg')\""
            f' href="{url}"><div class="tgme_widget_message_photo" style="padding-top:75%">'
            "</div></a>"
        )
    if post.html:
        parts.append(
            f'<div class="tgme_widget_message_text js-message_text" dir="auto">{post.html}</div>'
        )
    dt = post.published_at.isoformat()
    if post.broken == "bad_datetime":
        dt = "yesterday-ish"
    elif post.broken == "naive_datetime":
        dt = post.published_at.replace(tzinfo=None).isoformat()
    time_el = (
        ""
        if post.broken == "no_time"
        else f'<time datetime="{dt}" class="time">{post.published_at:%H:%M}</time>'
    )
    edited = "edited " if post.edited else ""
    parts.append(
        '<div class="tgme_widget_message_footer compact js-message_footer">'
        '<div class="tgme_widget_message_info short js-message_info">'
        f'<span class="tgme_widget_message_views">{post.views}</span>'
        '<span class="copyonly"> views</span>'
        f'<span class="tgme_widget_message_meta">{edited}'
        f'<a class="tgme_widget_message_date" href="{url}">{time_el}</a></span>'
        "</div></div></div></div></div>"
    )
    return "\n".join(parts)


def render_channel_page(channel: str, title: str, posts: Iterable[Post], base_url: str) -> str:
    posts = list(posts)
    t = html.escape(title)
    more = ""
    if posts:
        first = posts[0].id
        more = (
            '<div class="tgme_widget_message_centered js-messages_more_wrap">'
            f'<a href="/s/{channel}?before={first}" class="tme_messages_more js-messages_more"'
            f' data-before="{first}"></a></div>'
        )
    body = "\n".join(render_message(channel, title, p) for p in posts)
    return f"""<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>{t} – Telegram</title>
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <meta property="og:title" content="{t}">
    <link href="//telegram.org/css/widget-frame.css?71" rel="stylesheet">
    <link href="//telegram.org/css/telegram-web.css?13" rel="stylesheet">
  </head>
  <body class="widget_frame_base tgme_webpage_blog emoji_image">
    <header class="tgme_header search_collapsed">
      <div class="tgme_header_info"><div class="tgme_header_title">{t}</div></div>
    </header>
    <main class="tgme_main" data-url="/s/{channel}">
      <div class="tgme_container">
        <section class="tgme_channel_history js-message_history">
{more}
{body}
        </section>
      </div>
    </main>
    <script src="//telegram.org/js/widget-frame.js?64"></script>
    <script>TWidgetFrame.init();</script>
  </body>
</html>
"""


def render_plain_page(channel: str, title: str) -> str:
    t = html.escape(title)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Telegram: Contact @{channel}'
        f'</title></head><body><div class="tgme_page"><div class="tgme_page_title">'
        f'<span dir="auto">{t}</span></div><div class="tgme_page_action">'
        f'<a class="tgme_action_button_new" href="tg://resolve?domain={channel}">View in Telegram'
        "</a></div></div></body></html>"
    )


# Realistic fixture posts (paraphrased from the templates in the shared field notes).
KPSZSU_POSTS = [
    "🛵 Група ударних БпЛА на півночі Сумщини, курсом на Полтавщину",
    "Швидкісна ціль на Дніпро!",
    "☄️ Загроза застосування балістичного озброєння з північного сходу!",
    "🛵 БпЛА на Київщину з півночі",
    "Пуски КАБ на Харківщину",
    "Вся Україна – ракетна небезпека. Зліт МіГ-31К",
    "🚀 Ракета на Кременчук",
    "Група БпЛА з Чорного моря курсом на Одещину",
    "У ніч на 24 листопада (з 18:00 23 листопада) противник атакував 87 ударними БпЛА "
    "типу Shahed, «Гербера» та безпілотниками-імітаторами з напрямків: Курськ, Міллерово, "
    "Брянськ, Приморсько-Ахтарськ, Чауда – ТОТ АР Крим.\n"
    "Станом на 08:30 збито/подавлено 72 ворожих БпЛА.\n"
    "Зафіксовано влучання 13 ударних БпЛА на 7 локаціях.\n#ППО",
]

ALERT_POSTS = [
    "🔴 02:14 Повітряна тривога в Нікопольський район\nСлідкуйте за подальшими повідомленнями."
    "\n#Нікопольський_район",
    "🟢 02:51 Відбій тривоги в Нікопольський район.\n#Нікопольський_район",
    "🔴 03:05 Повітряна тривога в м. Київ\nСлідкуйте за подальшими повідомленнями.\n#м_Київ",
    "🟡 03:40 Відбій тривоги в Київська область.\nЗверніть увагу, тривога ще триває у:\n- м. Київ",
]

ODA_POSTS = [
    "Внаслідок атаки ворожих БпЛА на Дніпро поранено 3 людей – жінки 59 та 67 років і "
    "54-річний чоловік. Пошкоджено приватний будинок, виникла пожежа.",
    "🔴 Нікопольський район - повітряна тривога!",
    "Кількість постраждалих зросла до 12. Детальніше: https://t.me/dnipropetrovskaODA",
]
