"""Local stand-ins for the far side: t.me public previews, the Bot API and alerts.in.ua.

Real HTTP servers on 127.0.0.1 that behave like the services (pages in t.me's markup; Telegram's
429 ``retry_after``, 403 and message limits). The tests, the benchmarks and ``sitrep demo`` run the
real code against them; nothing here is used when the bot talks to the real services.
"""
