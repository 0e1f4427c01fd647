"""Команди оператора (/admin), українською (HTML; підстановки вже екрановані)."""

MESSAGES: dict[str, str] = {
    "admin.unknown": "🤷 Я не знаю такої команди. /help — що я вмію.",
    "admin.title": "🛠 <b>Sitrep — звіт оператора</b> (станом на {time})",
    "admin.sources": "<b>Джерела</b> ({n})",
    "admin.no_sources": "Увімкнених джерел немає.",
    "admin.source_ok": "✅ @{channel} — опитано {polled}, останній допис {post}{stale}",
    "admin.source_error": (
        "❌ @{channel} — опитано {polled}, помилок поспіль {errors}: <code>{error}</code>; "
        "останній допис {post}{stale}"
    ),
    "admin.source_never": "⏳ @{channel} — ще не опитано{stale}",
    "admin.never": "ніколи",
    "admin.stale": " · ⚠️ <b>застаріло</b>",
    "admin.untrusted": (
        "<b>Недовірені канали</b> ({n}) — дописи збережено, сповіщень не було; "
        "<code>sitrep channels add</code> робить канал довіреним"
    ),
    "admin.untrusted_item": "🚫 @{channel} ({why}) — дописів: {posts}, останній {post}",
    "admin.why_unregistered": "не зареєстровано або вимкнено",
    "admin.why_unconfirmed": "ім'я не підтверджено",
    "admin.subscribers": "<b>Підписники</b>: активних чатів {active}, з них груп {groups}",
    "admin.region": "• {region} — {n}",
    "admin.no_subscribers": "Підписок ще немає.",
    "admin.outbox": (
        "<b>Черга</b>: очікують {pending} · надсилаються {sending} · помилка {failed} · "
        "відкинуто {dead} · прострочено {expired}"
    ),
    "admin.bc_usage": "Як: <code>/admin broadcast ваш текст</code>",
    "admin.bc_preview": (
        "📢 <b>Розсилка — попередній перегляд</b>: отримають <b>{n}</b> активних чатів:\n\n{text}"
    ),
    "admin.bc_confirm": "✅ Надіслати",
    "admin.bc_cancel": "✖️ Скасувати",
    "admin.bc_cancelled": "Розсилку скасовано.",
    "admin.bc_stale": "Ця кнопка вже недійсна.",
    "admin.bc_queued": "📤 Розсилку поставлено в чергу для {n} чатів. Повідомлю, коли її доставлять.",
    "admin.bc_done": "✅ Розсилку завершено: доставлено {sent} з {total} чатів, помилок {failed}.",
    "admin.bc_message": "📢 <b>Sitrep</b>\n{text}",
}
