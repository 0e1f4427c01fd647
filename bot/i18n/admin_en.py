"""Operator commands (/admin), English (HTML; placeholders are filled with escaped values)."""

MESSAGES: dict[str, str] = {
    "admin.unknown": "🤷 I do not know this command. /help shows what I can do.",
    "admin.title": "🛠 <b>Sitrep — operator report</b> (as of {time})",
    "admin.sources": "<b>Sources</b> ({n})",
    "admin.no_sources": "No enabled sources.",
    "admin.source_ok": "✅ @{channel} — polled {polled}, last post {post}{stale}",
    "admin.source_error": (
        "❌ @{channel} — polled {polled}, {errors} errors in a row: <code>{error}</code>; "
        "last post {post}{stale}"
    ),
    "admin.source_never": "⏳ @{channel} — not polled yet{stale}",
    "admin.never": "never",
    "admin.stale": " · ⚠️ <b>stale</b>",
    "admin.untrusted": (
        "<b>Untrusted channels</b> ({n}) — posts stored, never alerted; "
        "<code>sitrep channels add</code> trusts one"
    ),
    "admin.untrusted_item": "🚫 @{channel} ({why}) — {posts} posts, last {post}",
    "admin.why_unregistered": "not registered or removed",
    "admin.why_unconfirmed": "username not confirmed",
    "admin.subscribers": "<b>Subscribers</b>: {active} active chats, {groups} of them groups",
    "admin.region": "• {region} — {n}",
    "admin.no_subscribers": "No subscriptions yet.",
    "admin.outbox": (
        "<b>Outbox</b>: pending {pending} · sending {sending} · failed {failed} · dead {dead} · "
        "expired {expired}"
    ),
    "admin.bc_usage": "Usage: <code>/admin broadcast your text</code>",
    "admin.bc_preview": (
        "📢 <b>Broadcast preview</b> — it will reach <b>{n}</b> active chats:\n\n{text}"
    ),
    "admin.bc_confirm": "✅ Send",
    "admin.bc_cancel": "✖️ Cancel",
    "admin.bc_cancelled": "Broadcast cancelled.",
    "admin.bc_stale": "This button is no longer valid.",
    "admin.bc_queued": "📤 Broadcast queued for {n} chats. I will report when it is delivered.",
    "admin.bc_done": "✅ Broadcast finished: delivered to {sent} of {total} chats, failed {failed}.",
    "admin.bc_message": "📢 <b>Sitrep</b>\n{text}",
}
