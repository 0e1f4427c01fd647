"""One or more examples per kind, written in the channels' styles (not copied from the corpus)."""

from __future__ import annotations

import pytest

from bot.parsing import parse


def kinds(text: str, source_kind: str | None = None, region: str | None = None) -> set[str]:
    return {e.kind for e in parse(text, source_kind, region)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🔴 04:20 Повітряна тривога в Сумська область.", {"air_alert_start"}),
        ("Увага! Оголошено повітряну тривогу.", {"air_alert_start"}),
        ("🔴 Броварський район - повітряна тривога!", {"air_alert_start"}),
        ("Air raid alert in Kharkiv oblast.", {"air_alert_start"}),
        ("🟢 05:01 Відбій тривоги в Сумська область.", {"air_alert_end"}),
        ("All clear in Kyiv.", {"air_alert_end"}),
        ("Залишайтеся в укриттях до відбою тривоги.", set()),
        ("🛵 БпЛА на Київщину", {"drones"}),
        ("Група ударних безпілотників курсом на Вінниччину.", {"drones"}),
        ("☄️ Балістика на Одесу", {"missiles"}),
        ("Швидкісна ціль курсом на Київ!", {"missiles"}),
        ("Пуски КАБ на Сумщину.", {"airstrike"}),
        ("Russian glide bombs hit Zaporizhzhia overnight.", {"airstrike", "damage"}),
        ("Окупанти обстріляли Херсон з артилерії.", {"shelling"}),
        ("Mortar shelling of the border hromadas continues.", {"shelling"}),
        ("У Полтаві пролунали вибухи.", {"explosions"}),
        ("У Кременчуці внаслідок атаки загинув чоловік.", {"casualties"}),
        ("Внаслідок атаки пошкоджено адмінбудівлю, виникла пожежа.", {"damage"}),
        ("Знеструмлено 20 тисяч споживачів на Житомирщині.", {"power_outage"}),
        ("Завтра діятимуть графіки погодинних відключень: від 2 до 3 черг.", {"outage_schedule"}),
        ("Завтра графіки погодинних відключень не застосовуватимуться.", set()),
        ("Енергетики відновили електропостачання в Ізюмі.", {"power_restored"}),
        ("Поїзд №12 Київ – Харків курсує із затримкою на 2 години.", {"train_delay"}),
        ("Ukrzaliznytsia: train 743 is delayed by 40 minutes.", {"train_delay"}),
    ],
)
def test_kind_detected(text: str, expected: set[str]) -> None:
    assert kinds(text) == expected


def test_no_casualties_is_not_casualties() -> None:
    assert "casualties" not in kinds(
        "Уламки впали на подвір'я. Постраждалих немає.", region="UA-18"
    )
    assert "casualties" not in kinds("A drone hit a warehouse; no one was injured.")


def test_fundraising_and_memorials_are_not_events() -> None:
    assert kinds("Збираємо кошти на 20 FPV-дронів для бригади. Реквізити нижче.") == set()
    assert kinds("Вшановуємо пам'ять загиблих. Хвилина мовчання о 9:00.") == set()


def test_still_under_alert_list_is_not_a_new_alert() -> None:
    events = parse(
        "🟡 11:30 Відбій тривоги в Полтавська область.\nТривога ще триває у: Сумська область, Харківська область."
    )
    assert [(e.kind, e.regions) for e in events] == [("air_alert_end", ("UA-53",))]


def test_railway_states_the_attack_it_suffered_but_not_one_told_in_passing() -> None:
    got = kinds("Через обстріл на Харківщині поїзди курсують із затримками.", source_kind="railway")
    assert got == {"shelling", "train_delay"}
    got = kinds(
        "Через постійні обстріли поїзди до Херсона курсують зі скороченим маршрутом.", "railway"
    )
    assert got == {"train_delay"}


def regions(
    text: str, source_kind: str | None = None, region: str | None = None
) -> dict[str, tuple[str, ...]]:
    return {e.kind: e.regions for e in parse(text, source_kind, region)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🏍 БпЛА на Чернігівщину", {"drones"}),
        ("🚀 На Запоріжжя!", {"missiles"}),
        ("💣 Курахове", {"airstrike"}),
        ("🛬 Тактична авіація активна на півдні", {"airstrike"}),
        ("Швидкісна на Одесу!", {"missiles"}),
        ("Швидкісні з півдня, в укриття!", {"missiles"}),
        ("Будують швидкісна трасу Київ – Бориспіль.", set()),
    ],
)
def test_air_force_emoji_and_short_forms(text: str, expected: set[str]) -> None:
    assert kinds(text, "air_force") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🔴🔴 07:40 Загроза ударних БпЛА в Чернігівський район", {"drones": ("UA-74",)}),
        ("🔴 07:41 Загроза застосування КАБ в Краматорський район", {"airstrike": ("UA-14",)}),
        ("🔴 07:42 Ракетна загроза в Одеський район", {"missiles": ("UA-51",)}),
        ("🟢 08:10 Відбій загрози застосування КАБ в Краматорський район", {}),
        ("🟢 08:11 Відбій загрози ударних БпЛА\n#Чернігівський_район", {}),
        (
            "🟡 08:30 Відбій тривоги\nЗверніть увагу, тривога ще триває у:\n"
            "- Охтирський район\n- Сумський район\n#Сумська_область",
            {"air_alert_end": ("UA-59",)},
        ),
    ],
)
def test_alert_channel_threat_notices_and_partial_all_clear(
    text: str, expected: dict[str, tuple[str, ...]]
) -> None:
    assert regions(text.replace("\\n", "\n"), "alerts") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Вносимо зміни в маршрут поїзда №63 Одеса – Київ через загрозу.", {"train_delay"}),
        ("На ділянці Лозова – Барвінкове рух поїздів тимчасово обмежено.", {"train_delay"}),
        ("Поїзд №88 курсуватиме за зміненим маршрутом через Кременчук.", {"train_delay"}),
        ("Сьогодні всі поїзди курсують за розкладом.", set()),
        ("Приміські поїзди прямують за стандартним графіком.", set()),
        ("Інформація про скасування поїздів на Запоріжжя не відповідає дійсності.", set()),
        ("У мережі ширяться чутки про зупинку руху до Сум. Це неправда — фейк.", set()),
        (
            "Ворожий дрон влучив у тепловоз на Сумщині, травмовано локомотивну бригаду.",
            {"drones", "damage", "casualties"},
        ),
        (
            "Через знеструмлення контактної мережі поїзди на Київ прямують із запізненням.",
            {"train_delay"},
        ),
        ("Через знеструмлення на Полтавщині поїзди затримуються.", {"power_outage", "train_delay"}),
    ],
)
def test_railway_kinds(text: str, expected: set[str]) -> None:
    assert kinds(text, "railway") == expected


def test_injured_crew_is_casualties_without_a_number() -> None:
    (event,) = [
        e for e in parse("Травмовано локомотивну бригаду.", "railway") if e.kind == "casualties"
    ]
    assert event.counts == {}


def test_outages_in_named_regions_and_their_cause_placed_nationwide() -> None:
    text = "У зв'язку з атакою дронів у Волинській та Рівненській областях введені аварійні відключення."
    assert regions(text, "energy") == {"drones": ("UA",), "power_outage": ("UA-07", "UA-56")}
    text = "Через ракетний удар – у Черкаській і Кіровоградській областях аварійні відключення"
    assert regions(text, "energy") == {"missiles": ("UA",), "power_outage": ("UA-35", "UA-71")}
    # The target of the attack is the attack's place.
    text = "Внаслідок удару дронів по Шостці знеструмлено 20 тис. абонентів."
    assert regions(text, "energy") == {"drones": ("UA-59",), "power_outage": ("UA-59",)}


@pytest.mark.parametrize(
    "text",
    [
        "Енергетики заживили ще 14 тисяч родин на Рівненщині.",
        "Ввечері повернули світло всім мешканцям Ізмаїла.",
        "Живлення відновлено для 6 тис. абонентів.",
        "Підключили до мережі 3 тис. споживачів Миколаєва.",
        "Подано напругу на підстанцію, споживачі зі світлом.",
        "Power was restored to 25,000 customers in Kherson region.",
        "All households in Sumy are back on supply.",
    ],
)
def test_restoration_verbs(text: str) -> None:
    assert kinds(text, "energy") == {"power_restored"}


def test_restoration_in_progress_is_not_restored() -> None:
    text = "Без світла 8 тис. абонентів. Бригади працюють над відновленням електропостачання."
    assert kinds(text, "energy") == {"power_outage"}


def test_a_cause_told_in_passing_is_not_a_new_event() -> None:
    text = "Без світла після вчорашньої атаки дронів досі 2 тисячі родин на Сумщині."
    assert kinds(text, "energy") == {"power_outage"}
    text = "Складна ситуація в енергосистемі зумовлена наслідками ракетних обстрілів."
    assert kinds(text, "energy") == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Emergency outages were imposed in Poltava and Sumy regions.", {"power_outage"}),
        ("Hourly outage schedules will be in force from Monday.", {"outage_schedule"}),
        ("Hourly blackouts apply in most regions today.", {"outage_schedule"}),
        (
            "Rolling blackouts continue, and emergency blackouts hit Odesa region.",
            {"outage_schedule", "power_outage"},
        ),
        ("A large fire broke out at a fuel depot after the attack.", {"damage"}),
        ("Firefighters put out a fire at a warehouse in Lviv.", {"damage"}),
        ("Air raid alerts were declared nationwide on Friday morning.", {"air_alert_start"}),
        ("Hits on two substations were recorded.", {"damage"}),
        ("Troops opened fire at the positions.", set()),
    ],
)
def test_english_press(text: str, expected: set[str]) -> None:
    assert kinds(text, "news") == expected


def test_hits_recorded_in_a_summary_are_damage_placed_nationwide() -> None:
    text = (
        "У ніч на 2 грудня противник атакував 80 БпЛА з напрямку Курська. "
        "Основний напрямок удару — Харківщина. Зафіксовано влучання на 6 локаціях."
    )
    got = regions(text, "air_force")
    assert got["damage"] == ("UA",) and "UA-63" in got["drones"]


def test_instruction_about_impact_sites_is_not_damage() -> None:
    text = "Оголошено повітряну тривогу. Не знімайте місця влучань і роботу ППО!"
    assert kinds(text, "governor", "UA-05") == {"air_alert_start"}


def test_partial_all_clear_with_an_unmarked_list() -> None:
    text = "🟡 23:05 Відбій тривоги\nТривога триває у:\n- Бердичівський район\n#Житомирська_область"
    assert regions(text, "alerts") == {"air_alert_end": ("UA-18",)}


def test_more_outage_and_damage_wordings() -> None:
    assert kinds("Завтра можливі стабілізаційні відключення.", "energy") == {"outage_schedule"}
    assert kinds("Уламками посічено фасад ліцею.", "governor", "UA-61") == {"damage"}
    assert kinds("У трьох оселях вибито вікна.", "governor", "UA-61") == {"damage"}


def test_no_dead_and_no_injured_is_not_casualties() -> None:
    assert kinds("Загиблих і поранених немає.", "governor", "UA-05") == set()
    assert kinds("Загиблих та постраждалих не виявлено.", "governor", "UA-05") == set()


def test_delay_word_needs_a_railway_context() -> None:
    assert "train_delay" not in kinds("Роботи з відновлення затримуються через погоду.")


def test_empty_and_whitespace_posts() -> None:
    assert parse("") == []
    assert parse("   \n ") == []


def test_oblast_centre_wins_among_same_named_cities_unless_the_channel_says_otherwise() -> None:
    assert [e.regions for e in parse("Балістика на Миколаїв!", "air_force")] == [("UA-48",)]
    assert [e.regions for e in parse("Вибух у Миколаєві.", "governor", "UA-46")] == [("UA-46",)]


def test_alert_over_phrased_at_the_end() -> None:
    assert kinds("The air raid alert in Sumy oblast is over.") == {"air_alert_end"}


def test_the_capital_is_kyiv_city() -> None:
    assert [e.regions for e in parse("Вибухи у столиці! Працює ППО.")] == [("UA-30",)]
    assert [e.regions for e in parse("Explosions in the capital overnight.")] == [("UA-30",)]


def test_outage_schedules_are_not_an_outage() -> None:
    assert kinds("Ukrenergo: power outage schedules will apply in all regions tomorrow.") == {
        "outage_schedule"
    }


def test_a_first_name_before_a_surname_is_not_the_town_of_that_name() -> None:
    text = "A Russian missile strike on Poltava killed 5 people, Governor Volodymyr Kohut said."
    assert {e.regions for e in parse(text, "news")} == {("UA-53",)}
    assert [e.regions for e in parse("Explosions in Volodymyr overnight.")] == [("UA-07",)]


def test_the_literal_prefilter_never_hides_a_match() -> None:
    """``may_match`` may say yes wrongly, never no wrongly: checked on phrases that hit
    alternatives of every shape (a leading group, nested groups, alternation inside a part)."""
    from pathlib import Path

    from bot.parsing import kinds as K
    from bot.parsing import live as L
    from bot.parsing.text import normalise

    phrases = [
        "Над містом ППО працює, фіксується рух груп БпЛА у бік Умані.",
        "Склад горіли до ранку; подано напругу на фідер.",
        "Напругу подано, світло з'явилося. Тривога триває у: Ізюмський район",
        "Загиблих, поранених немає. Rail traffic is restricted; hourly blackouts apply.",
        "Зникло електропостачання. Outage schedules apply; power is back for most.",
    ]
    shared = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    for path in sorted(shared.glob("*.jsonl")) if shared.exists() else []:
        phrases += [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    patterns = [
        *K.TRIGGERS.values(),
        K.NON_EVENT,
        K.STILL_ACTIVE,
        L.SUMMARY,
        L.PAST,
        L.LIVE_CUES,
    ]
    for text in map(normalise, phrases):
        for rx in patterns:
            if rx.search(text):
                assert K.may_match(rx, text), (rx.pattern[:60], text[:80])
