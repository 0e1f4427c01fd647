"""The bot's conversation, English (HTML; placeholders are filled with escaped values)."""

MESSAGES: dict[str, str] = {
    # commands menu (setMyCommands)
    "command.start": "Start and pick your regions",
    "command.subscribe": "Follow a region: /subscribe Kyiv oblast",
    "command.unsubscribe": "Stop following a region",
    "command.regions": "My regions and their alerts",
    "command.latest": "What happened in the last 12 hours",
    "command.status": "Air-raid alerts across Ukraine now",
    "command.settings": "Topics, quiet hours, digest, language",
    "command.help": "Help",
    "command.stop": "Forget this chat",
    # start, help
    "start.greeting": (
        "👋 Hello{name}! I am <b>Sitrep</b>: I watch the official channels (Air Force, air-raid "
        "alerts, regional administrations, Ukrzaliznytsia, energy companies) and tell you what is "
        "happening in your region."
    ),
    "start.pick": "Pick a region — one tap and you are subscribed:",
    "help": (
        "<b>What I can do</b>\n"
        "/subscribe <i>name</i> — follow a region (oblast, city, “Kyiv oblast”, “Nizhyn”)\n"
        "/unsubscribe — stop following\n"
        "/regions — your regions and whether there is an alert\n"
        "/latest [region] — what happened in the last 12 hours\n"
        "/status — where the alerts are now\n"
        "/map — the map of alerts and threats now\n"
        "/history [region] — the last 7 days of alerts\n"
        "/settings — topics, quiet hours, daily digest, language\n"
        "/stop — forget this chat\n\n"
        "In groups only administrators can change subscriptions and settings."
    ),
    # subscribe
    "sub.done": "✅ You are subscribed to: <b>{region}</b>.",
    "sub.done_place": "✅ {place} is in <b>{region}</b>. You are subscribed to that region.",
    "sub.done_short": "Subscribed: {region}",
    "sub.now": "Your regions: {regions}.",
    "sub.more": "You can pick more:",
    "sub.ambiguous": "“{query}” — which one do you mean?",
    "sub.unknown": (
        "😕 I could not find “{query}”. Try an oblast or a city (e.g. “Kyiv oblast”, "
        "“Nizhyn”). Did you mean:"
    ),
    "sub.kyiv_note": "ℹ️ Kyiv city and Kyiv oblast are separate regions. Add {other} too?",
    "sub.option_place": "{place} ({region})",
    # unsubscribe
    "unsub.none": "You have no regions yet. Pick one: /subscribe",
    "unsub.pick": "Which region do you want to stop following?",
    "unsub.not_subscribed": "“{query}” is not among your regions. Your regions:",
    "unsub.done": "❎ You unsubscribed from: <b>{region}</b>.",
    "unsub.was_not": "You were not subscribed to <b>{region}</b>.",
    "unsub.none_left": "No subscriptions left. /subscribe to follow a region again.",
    # regions, status
    "sub.done_town": "✅ You follow <b>{place}</b> ({region}): alerts for the whole oblast and your raion; not other raions' alerts and news.",
    "regions.towns": "    📍 {places}",
    "offer.place": "Subscribe to <b>{place}</b> ({region})?",
    "offer.region": "Subscribe to <b>{region}</b>?",
    "offer.button": "✅ Subscribe",
    "unknown_command": "There is no such command.",
    "forward.ack": "📥 Post of @{channel} taken: {events} new events.",
    "forward.ack_seen": "📥 Post of @{channel} was already stored.",
    "regions.title": "<b>Your regions</b>",
    "regions.item": "• <b>{region}</b>: {state}",
    "regions.none": "You have not picked any region yet. Pick one:",
    "status.title": "<b>Air-raid alerts in Ukraine</b> (as of {time})",
    "status.calm": "🟢 No region is under an air-raid alert now.",
    "status.calm_stale": "Our data shows no alerts, but it is stale — check the official sources.",
    "status.count": "🔴 Alert in {n} of {total} regions:",
    "status.item": "• {region} — since {time}",
    "alert.on": "🔴 air-raid alert since {time}",
    "alert.off_since": "🟢 no alert (all clear at {time})",
    "alert.off": "🟢 no alerts on record",
    # staleness
    "stale.since": (
        "⚠️ <b>Data may be stale</b>: the sources have not updated since {time}. "
        "No news does not mean all clear."
    ),
    "stale.never": ("⚠️ <b>No fresh data from the sources</b>. No news does not mean all clear."),
    # latest
    "latest.title": "📍 <b>{region}</b> — last {hours} h (as of {time})",
    "latest.empty": "Nothing was reported in this region in that time.",
    "latest.empty_stale": "Nothing in our data — but the data is stale, so this does not mean calm.",
    "latest.no_regions": "You have no regions. Send /latest <i>region</i> or pick one:",
    "latest.event": '• {time} — {label}{details} · <a href="{url}">source</a>',
    "latest.nationwide": "{label} (all Ukraine)",
    "latest.now": "<b>Now</b>",
    "latest.happened": "<b>What happened</b>",
    "latest.no_threats": "No threats reported in the last hour.",
    "alert.unknown": "⚪ alert state unknown: data is stale",
    "section.strikes": "<b>🚀 Drone and missile strikes</b>",
    "section.attacks": "<b>💥 Shelling and explosions</b>",
    "section.casualties": "<b>🩹 Aftermath</b>",
    "section.power": "<b>💡 Power</b>",
    "section.rail": "<b>🚆 Trains</b>",
    "kind.air_alert_start": "Air-raid alert",
    "kind.air_alert_end": "All clear",
    "kind.drones": "Attack drones",
    "kind.missiles": "Missiles",
    "kind.airstrike": "Airstrike / guided bombs",
    "kind.shelling": "Shelling",
    "kind.explosions": "Explosions",
    "kind.casualties": "Casualties",
    "kind.damage": "Damage",
    "kind.power_outage": "Power outage",
    "kind.outage_schedule": "Outage schedules",
    "kind.power_restored": "Power restored",
    "kind.train_delay": "Train delays",
    "count.launched": "launched {n}",
    "count.destroyed": "shot down {n}",
    "count.hit": "hits {n}",
    "count.locations": "locations {n}",
    "count.killed": "killed {n}",
    "count.injured": "injured {n}",
    "count.consumers": "{n} consumers without power",
    "count.trains": "trains {n}",
    "count.delay_minutes": "delayed up to {d}",
    "dur.hm": "{h} h {m} min",
    "dur.h": "{h} h",
    "dur.m": "{m} min",
    "fmt.day_time": "{month} {day}, {time}",
    "month.1": "Jan",
    "month.2": "Feb",
    "month.3": "Mar",
    "month.4": "Apr",
    "month.5": "May",
    "month.6": "Jun",
    "month.7": "Jul",
    "month.8": "Aug",
    "month.9": "Sep",
    "month.10": "Oct",
    "month.11": "Nov",
    "month.12": "Dec",
    # digest
    "digest.title": "🗞 <b>Daily digest</b> (as of {time})",
    "digest.region": "📍 <b>{region}</b>",
    "digest.alerts": "🔴 Air-raid alerts: {n}",
    # settings
    "settings.summary": (
        "<b>Settings</b>\n"
        "Language: {language}\n"
        "Topics: {topics}\n"
        "Quiet hours: {quiet} — {threats}\n"
        "Daily digest: {digest}{digest_map}\n"
        "Towns: {others}"
    ),
    "settings.threats_ring": "threats to your places still ring",
    "settings.threats_silent": "everything silent",
    "settings.threats_toggle": "In quiet hours: {state} (change)",
    "settings.others_marked": "other raions' news marked “not your raion”",
    "settings.others_hidden": "other raions' news not sent",
    "settings.others_toggle": "Towns: {state} (change)",
    "settings.digest_with_map": " · with the map",
    "settings.digest_map_toggle": "{mark} Map in the daily digest",
    "settings.topics": "Topics",
    "settings.quiet": "Quiet hours",
    "settings.digest": "Digest",
    "settings.language": "Language",
    "settings.back": "← Back",
    "settings.off": "off",
    "settings.none": "none",
    "settings.quiet_range": "{start}–{end}",
    "settings.saved": "Saved",
    "topic.air_alerts": "Air-raid alerts",
    "topic.drones_missiles": "Drones and missiles",
    "topic.shelling_explosions": "Shelling and explosions",
    "topic.casualties_damage": "Casualties and damage",
    "topic.power": "Power",
    "topic.rail": "Trains",
    "language.uk": "Українська",
    "language.en": "English",
    # stop
    "stop.confirm": "Forget this chat — all its subscriptions and settings? This cannot be undone.",
    "stop.yes": "Yes, forget",
    "stop.no": "No, keep",
    "stop.done": "Done: I have forgotten this chat. Come back any time with /start.",
    "stop.kept": "All right, everything stays as it was.",
    # hostile or stale input
    "query.too_long": (
        "✋ That query is too long ({n} characters, up to {max} allowed). "
        "Send the name of a region, city or village."
    ),
    "tap.expired": "This button is out of date or unknown — nothing was changed.",
    "tap.outdated": (
        "This button is out of date or unknown — nothing was changed. Send /{command} for "
        "fresh buttons."
    ),
    # groups
    "group.admins_only": "Only the group's administrators can change its subscriptions and settings.",
    "group.hello": (
        "👋 Hello! I am <b>Sitrep</b> — I tell you what is happening in your regions. "
        "Administrators can pick regions with /subscribe. Help: /help"
    ),
}
