"""The bot's conversation, Ukrainian (HTML; placeholders are filled with escaped values)."""

MESSAGES: dict[str, str] = {
    # commands menu (setMyCommands)
    "command.start": "Почати й обрати регіони",
    "command.subscribe": "Підписатися на регіон: /subscribe Київщина",
    "command.unsubscribe": "Відписатися від регіону",
    "command.regions": "Мої регіони та тривоги в них",
    "command.latest": "Що сталося за 12 годин",
    "command.status": "Тривоги по всій Україні зараз",
    "command.settings": "Теми, тиха година, дайджест, мова",
    "command.help": "Довідка",
    "command.stop": "Забути цей чат",
    # start, help
    "start.greeting": (
        "👋 Вітаю{name}! Я <b>Sitrep</b>: стежу за офіційними каналами (Повітряні сили, "
        "повітряна тривога, ОВА, Укрзалізниця, енергетики) і розповідаю, що відбувається у "
        "вашому регіоні."
    ),
    "start.pick": "Оберіть регіон — одне натискання, і ви підписані:",
    "help": (
        "<b>Що я вмію</b>\n"
        "/subscribe <i>назва</i> — підписатися (область, місто, «Київщина», «Ніжин»)\n"
        "/unsubscribe — відписатися\n"
        "/regions — ваші регіони та чи є там тривога\n"
        "/latest [регіон] — що сталося за останні 12 годин\n"
        "/status — де тривога зараз\n"
        "/map — мапа тривог і загроз зараз\n"
        "/history [регіон] — тривоги за останні 7 днів\n"
        "/settings — теми, тиха година, щоденний дайджест, мова\n"
        "/stop — забути цей чат\n\n"
        "У групах змінювати підписки й налаштування можуть лише адміністратори."
    ),
    # subscribe
    "sub.done": "✅ Ви підписані на: <b>{region}</b>.",
    "sub.done_place": "✅ {place} — це <b>{region}</b>. Ви підписані на цей регіон.",
    "sub.done_short": "Підписано: {region}",
    "sub.now": "Ваші регіони: {regions}.",
    "sub.more": "Можна обрати ще:",
    "sub.ambiguous": "«{query}» — що саме ви маєте на увазі?",
    "sub.unknown": (
        "😕 Не знайшов «{query}». Спробуйте назву області чи міста (наприклад, «Київщина», "
        "«Ніжин»). Можливо, ви мали на увазі:"
    ),
    "sub.kyiv_note": "ℹ️ Київ (місто) і Київщина (область) — різні регіони. Додати ще {other}?",
    "sub.option_place": "{place} ({region})",
    # unsubscribe
    "unsub.none": "Ви ще ні на що не підписані. Оберіть регіон: /subscribe",
    "unsub.pick": "Від якого регіону відписатися?",
    "unsub.not_subscribed": "Серед ваших регіонів немає «{query}». Ваші регіони:",
    "unsub.done": "❎ Ви відписалися від: <b>{region}</b>.",
    "unsub.was_not": "Ви не були підписані на <b>{region}</b>.",
    "unsub.none_left": "Підписок більше немає. /subscribe — підписатися знову.",
    # regions, status
    "sub.done_town": "✅ Ви підписані на <b>{place}</b> ({region}): тривоги всієї області й вашого району; тривоги й новини інших районів — ні.",
    "regions.towns": "    📍 {places}",
    "offer.place": "Підписатися на <b>{place}</b> ({region})?",
    "offer.region": "Підписатися на <b>{region}</b>?",
    "offer.button": "✅ Підписатися",
    "unknown_command": "Такої команди немає.",
    "forward.ack": "📥 Допис @{channel} прийнято: нових подій — {events}.",
    "forward.ack_seen": "📥 Допис @{channel} уже був у базі.",
    "regions.title": "<b>Ваші регіони</b>",
    "regions.item": "• <b>{region}</b>: {state}",
    "regions.none": "Ви ще не обрали регіонів. Оберіть:",
    "status.title": "<b>Повітряні тривоги в Україні</b> (станом на {time})",
    "status.calm": "🟢 Зараз тривог немає в жодному регіоні.",
    "status.calm_stale": "Тривог у наших даних немає, але дані застарілі — перевірте офіційні джерела.",
    "status.count": "🔴 Тривога в {n} з {total} регіонів:",
    "status.item": "• {region} — з {time}",
    "alert.on": "🔴 повітряна тривога з {time}",
    "alert.off_since": "🟢 тривоги немає (відбій о {time})",
    "alert.off": "🟢 тривог не було",
    # staleness
    "stale.since": (
        "⚠️ <b>Дані можуть бути застарілими</b>: джерела не оновлювалися з {time}. "
        "Відсутність новин не означає, що все спокійно."
    ),
    "stale.never": (
        "⚠️ <b>Немає свіжих даних від джерел</b>. Відсутність новин не означає, що все спокійно."
    ),
    # latest
    "latest.title": "📍 <b>{region}</b> — останні {hours} год (станом на {time})",
    "latest.empty": "За цей час подій у регіоні не зафіксовано.",
    "latest.empty_stale": "Подій у наших даних немає — але через застарілі дані це не означає спокою.",
    "latest.no_regions": "У вас немає регіонів. Напишіть /latest <i>регіон</i> або оберіть:",
    "latest.event": '• {time} — {label}{details} · <a href="{url}">джерело</a>',
    "latest.nationwide": "{label} (уся Україна)",
    "latest.now": "<b>Зараз</b>",
    "latest.happened": "<b>Що сталося</b>",
    "latest.no_threats": "Загроз за останню годину не повідомляли.",
    "alert.unknown": "⚪ стан тривоги невідомий: дані застарілі",
    "section.strikes": "<b>🚀 Удари БпЛА і ракет</b>",
    "section.attacks": "<b>💥 Обстріли та вибухи</b>",
    "section.casualties": "<b>🩹 Наслідки</b>",
    "section.power": "<b>💡 Світло</b>",
    "section.rail": "<b>🚆 Поїзди</b>",
    "kind.air_alert_start": "Повітряна тривога",
    "kind.air_alert_end": "Відбій тривоги",
    "kind.drones": "Ударні БпЛА",
    "kind.missiles": "Ракети",
    "kind.airstrike": "Авіаудар / КАБи",
    "kind.shelling": "Обстріл",
    "kind.explosions": "Вибухи",
    "kind.casualties": "Постраждалі",
    "kind.damage": "Руйнування",
    "kind.power_outage": "Знеструмлення",
    "kind.outage_schedule": "Графіки відключень",
    "kind.power_restored": "Світло повернули",
    "kind.train_delay": "Затримки поїздів",
    "count.launched": "запущено {n}",
    "count.destroyed": "збито {n}",
    "count.hit": "влучань {n}",
    "count.locations": "локацій {n}",
    "count.killed": "загиблих {n}",
    "count.injured": "поранених {n}",
    "count.consumers": "без світла {n} споживачів",
    "count.trains": "поїздів {n}",
    "count.delay_minutes": "затримка до {d}",
    "dur.hm": "{h} год {m} хв",
    "dur.h": "{h} год",
    "dur.m": "{m} хв",
    "fmt.day_time": "{day} {month} {time}",
    "month.1": "січ.",
    "month.2": "лют.",
    "month.3": "бер.",
    "month.4": "квіт.",
    "month.5": "трав.",
    "month.6": "черв.",
    "month.7": "лип.",
    "month.8": "серп.",
    "month.9": "вер.",
    "month.10": "жовт.",
    "month.11": "лист.",
    "month.12": "груд.",
    # digest
    "digest.title": "🗞 <b>Дайджест за добу</b> (станом на {time})",
    "digest.region": "📍 <b>{region}</b>",
    "digest.alerts": "🔴 Повітряних тривог: {n}",
    # settings
    "settings.summary": (
        "<b>Налаштування</b>\n"
        "Мова: {language}\n"
        "Теми: {topics}\n"
        "Тиха година: {quiet} — {threats}\n"
        "Щоденний дайджест: {digest}{digest_map}\n"
        "Міста: {others}"
    ),
    "settings.threats_ring": "загрози вашим місцям зі звуком",
    "settings.threats_silent": "усе беззвучно",
    "settings.threats_toggle": "У тиху годину: {state} (змінити)",
    "settings.others_marked": "новини інших районів з позначкою «не ваш район»",
    "settings.others_hidden": "новини інших районів не надсилати",
    "settings.others_toggle": "Міста: {state} (змінити)",
    "settings.digest_with_map": " · з картою",
    "settings.digest_map_toggle": "{mark} Карта в підсумку дня",
    "settings.topics": "Теми",
    "settings.quiet": "Тиха година",
    "settings.digest": "Дайджест",
    "settings.language": "Мова",
    "settings.back": "← Назад",
    "settings.off": "вимкнено",
    "settings.none": "жодної",
    "settings.quiet_range": "{start}–{end}",
    "settings.saved": "Збережено",
    "topic.air_alerts": "Повітряні тривоги",
    "topic.drones_missiles": "Дрони та ракети",
    "topic.shelling_explosions": "Обстріли та вибухи",
    "topic.casualties_damage": "Постраждалі та руйнування",
    "topic.power": "Світло",
    "topic.rail": "Поїзди",
    "language.uk": "Українська",
    "language.en": "English",
    # stop
    "stop.confirm": "Забути цей чат — усі підписки й налаштування? Це не можна скасувати.",
    "stop.yes": "Так, забути",
    "stop.no": "Ні, залишити",
    "stop.done": "Готово: я забув цей чат. Повернутися можна будь-коли — /start.",
    "stop.kept": "Гаразд, усе залишається як було.",
    # hostile or stale input
    "query.too_long": (
        "✋ Задовгий запит (символів: {n}, можна до {max}). Надішліть назву області, міста чи села."
    ),
    "tap.expired": "Ця кнопка застаріла або невідома — нічого не змінено.",
    "tap.outdated": (
        "Ця кнопка застаріла або невідома — нічого не змінено. Надішліть /{command}, щоб "
        "отримати нові кнопки."
    ),
    # groups
    "group.admins_only": "Змінювати підписки й налаштування групи можуть лише її адміністратори.",
    "group.hello": (
        "👋 Вітаю! Я <b>Sitrep</b> — розповідаю, що відбувається у ваших регіонах. "
        "Адміністратори можуть обрати регіони: /subscribe. Довідка: /help"
    ),
}
