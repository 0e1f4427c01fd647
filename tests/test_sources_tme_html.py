"""Parsing of t.me/s/<username> pages."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.sources.tme_html import parse_channel_page
from bot.standins.tme_render import KPSZSU_POSTS, render_channel_page, text_to_html
from bot.standins.tme_server import Post

WHEN = datetime(2026, 11, 24, 2, 14, 5, tzinfo=UTC)


def page(*posts: Post, channel: str = "kpszsu") -> str:
    return render_channel_page(channel, "Повітряні Сили ЗСУ", posts, "https://t.me")


def test_text_keeps_breaks_links_emoji_and_unescapes_entities() -> None:
    body = (
        '<i class="emoji" style="background-image:url('
        "'//telegram.org/img/emoji/40/F09F94B4.png')\">"
        "<b>🔴</b></i> 02:14 Повітряна тривога в <b>м. Київ</b><br/>"
        "Слідкуйте за <i>подальшими</i> повідомленнями &amp; укриттям<br/><br/>"
        '<a href="?q=%23%D0%BC_%D0%9A%D0%B8%D1%97%D0%B2">#м_Київ</a> '
        '<a href="https://t.me/air_alert_ua" target="_blank">Підписатись</a> '
        '<tg-emoji emoji-id="5locker"><i class="emoji"><b>⚡</b></i></tg-emoji>'
        " Об&#39;єкт &quot;Х&quot;"
    )
    parsed = parse_channel_page(page(Post(1234, body, WHEN)))
    assert parsed.skipped == 0
    (post,) = parsed.posts
    assert post.text == (
        "🔴 02:14 Повітряна тривога в м. Київ\n"
        "Слідкуйте за подальшими повідомленнями & укриттям\n\n"
        '#м_Київ Підписатись ⚡ Об\'єкт "Х"'
    )
    assert post.channel == "kpszsu"
    assert post.message_id == 1234
    assert post.published_at == WHEN
    assert post.published_at.tzinfo is not None
    assert post.url == "https://t.me/kpszsu/1234"
    assert not post.edited
    assert post.forwarded_from is None


def test_rendered_plain_text_round_trips() -> None:
    posts = [Post(i + 1, text_to_html(t), WHEN) for i, t in enumerate(KPSZSU_POSTS)]
    parsed = parse_channel_page(page(*posts))
    assert [p.text for p in parsed.posts] == KPSZSU_POSTS
    assert (parsed.lowest_id, parsed.highest_id) == (1, len(KPSZSU_POSTS))


def test_edited_forwarded_and_photo_only() -> None:
    parsed = parse_channel_page(
        page(
            Post(10, text_to_html("Оновлено"), WHEN, edited=True),
            Post(11, text_to_html("Репост"), WHEN, forwarded_from=("Повітряні Сили", "kpszsu")),
            Post(12, "", WHEN, photo=True),
        )
    )
    edited, forwarded, photo = parsed.posts
    assert edited.edited and edited.text == "Оновлено"
    assert not forwarded.edited and forwarded.forwarded_from == "kpszsu"
    assert photo.text == "" and photo.message_id == 12
    assert photo.media == "photo" and edited.media is None and forwarded.media is None


def _with_media(markup: str, text: str = "") -> str:
    """A one-post page whose message carries ``markup`` (media as t.me renders it)."""
    html = page(Post(20, text_to_html(text) if text else "", WHEN))
    return html.replace(
        '<div class="tgme_widget_message_footer',
        markup + '<div class="tgme_widget_message_footer',
        1,
    )


@pytest.mark.parametrize(
    ("markup", "media"),
    [
        ('<a class="tgme_widget_message_video_player" href="#"><video class="tgme_widget_message_video" src="v.mp4"></video></a>', "video"),
        ('<div class="tgme_widget_message_grouped_wrap"><div class="tgme_widget_message_grouped">'
         '<a class="tgme_widget_message_photo_wrap" href="#"></a><a class="tgme_widget_message_photo_wrap" href="#"></a></div></div>', "album"),
        ('<div class="tgme_widget_message_document_wrap"><div class="tgme_widget_message_document_title">Графік.pdf</div></div>', "document"),
    ],
)  # fmt: skip
def test_media_only_posts_keep_a_marker_and_their_caption(markup: str, media: str) -> None:
    [bare] = parse_channel_page(_with_media(markup)).posts
    assert bare.media == media and bare.text == ""
    caption = "Наслідки нічної атаки на Чернігів"
    [captioned] = parse_channel_page(_with_media(markup, caption)).posts
    assert captioned.media == media and captioned.text == caption


def test_a_poll_keeps_its_question_as_text() -> None:
    poll = (
        '<div class="tgme_widget_message_poll"><div class="tgme_widget_message_poll_question">'
        "Чи є у вас світло?</div><div class='tgme_widget_message_poll_type'>Anonymous poll</div></div>"
    )
    [post] = parse_channel_page(_with_media(poll)).posts
    assert post.media == "poll" and post.text == "Чи є у вас світло?"


def test_time_label_is_not_mistaken_for_edited() -> None:
    parsed = parse_channel_page(page(Post(5, "x", datetime(2026, 1, 1, 8, 0, tzinfo=UTC))))
    assert parsed.posts[0].edited is False


def test_reply_quote_is_not_the_post_text() -> None:
    html = (
        '<div class="tgme_widget_message_wrap">'
        '<div class="tgme_widget_message" data-post="adm_dp/7">'
        '<a class="tgme_widget_message_reply" href="https://t.me/adm_dp/6">'
        '<div class="tgme_widget_message_text js-message_reply_text">Цитата</div></a>'
        '<div class="tgme_widget_message_text">Уточнення: поранено 4 людей</div>'
        '<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="#">'
        '<time datetime="2026-11-24T04:14:05+02:00">04:14</time></a></span></div></div>'
    )
    (post,) = parse_channel_page(html).posts
    assert post.text == "Уточнення: поранено 4 людей"
    assert post.published_at.utcoffset() is not None


@pytest.mark.parametrize("how", ["no_time", "bad_datetime", "naive_datetime", "no_data_post"])
def test_malformed_element_is_skipped_with_warning(
    how: str, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Post(2, "зламаний", WHEN, broken=how)
    with caplog.at_level(logging.WARNING, logger="bot.sources.tme_html"):
        parsed = parse_channel_page(page(Post(1, "a", WHEN), broken, Post(3, "c", WHEN)))
    assert [p.message_id for p in parsed.posts] == [1, 3]
    assert parsed.skipped == 1
    rec = next(r for r in caplog.records if r.getMessage() == "tme.post_skipped")
    assert rec.reason  # type: ignore[attr-defined]
    assert "зламаний" not in caplog.text
    # The id of a broken-but-identifiable post still bounds the page for paging.
    assert parsed.lowest_id == 1 and parsed.highest_id == 3


def test_truncated_page_parses_what_is_there() -> None:
    html = page(*[Post(i, text_to_html(f"Пост {i}"), WHEN) for i in range(1, 21)])
    for cut in range(0, len(html), 997):
        parsed = parse_channel_page(html[:cut])
        ids = [p.message_id for p in parsed.posts]
        assert ids == sorted(ids)
        assert all(
            p.text == f"Пост {p.message_id}" or p.message_id == ids[-1] for p in parsed.posts
        )
    half = parse_channel_page(html[: len(html) // 2])
    assert 5 < len(half.posts) < 20


@pytest.mark.parametrize(
    "junk", ["", "<html", "not html at all", "<div class='tgme_widget_message' data-post='x/'>"]
)
def test_garbage_never_crashes(junk: str) -> None:
    parsed = parse_channel_page(junk)
    assert parsed.posts == []
