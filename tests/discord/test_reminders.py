"""Personal reminders on Discord, through discord.py's real client against the fake API:
/remind confirms by direct message (opened with ``POST /users/@me/channels``) and the
scheduler sends the reminder there when due, exactly once, across a restart too; a person
whose DMs are refused gets no reminder; /reminders cancels with buttons, which work after a
restart too; /agenda attaches an .ics file. Time moves by setting the service's FixedClock,
never by sleeping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from bot.clock import FixedClock
from bot.commands import SummitService
from bot.commands.reminders import ReminderDesk, talk_label
from bot.commands.results import ReminderList, Requester
from bot.config import DiscordConfig
from bot.feedback.store import StateStore
from bot.platforms.discord.client import DiscordPlatform
from bot.platforms.discord.reminders import ReminderButton, reminder_view
from bot.platforms.discord.render import NOT_YOUR_REMINDERS
from bot.reminders.book import ReminderBook
from bot.reminders.delivery import DirectSender
from bot.reminders.models import MAX_MINUTES, Reminder, talk_key
from bot.reminders.scheduler import RETRY_SECONDS, ReminderScheduler
from bot.schedule.programme import Talk
from tests.discord.conftest import Bot, start_bot
from tests.discord.fake_discord import ALICE, APP_ID, BOB, FakeDiscord, Recorded, member
from tests.schedule.service_fixtures import PING_TITLE

EPHEMERAL = 64
NO_PINGS: dict[str, list[str]] = {"parse": []}
ALICE_ID = ALICE["id"]
KEYNOTE = "The Future of Summits"  # Sunday 09:00, Saal 1; the clock reads Saturday 13:10
LATE = "Late Night Lightning Talks"  # Sunday 01:30, Saal 2
DIRECTS_REFUSED = "I cannot send you direct messages"


@pytest.fixture
def service(scheduled_service: SummitService) -> SummitService:
    """Replaces the notes-only service the ``bot`` fixture runs with one over the sample
    schedule (tests/conftest.py)."""
    return scheduled_service


@pytest.fixture
def clock(service: SummitService) -> FixedClock:
    assert isinstance(service.clock, FixedClock)
    return service.clock


@dataclass
class Reminding:
    store: StateStore
    book: ReminderBook
    scheduler: ReminderScheduler
    desk: ReminderDesk


def reminding(service: SummitService, platform: DiscordPlatform, path: Path) -> Reminding:
    """The reminders as ``serve`` wires them (bot/serve.py ``_reminders``), over the state
    database at ``path``; the scheduler is stepped by the tests, not run."""
    store = StateStore(path)
    scheduler = ReminderScheduler(ReminderBook(store), service.clock, [platform],
                                  service.programme)
    desk = ReminderDesk(scheduler.book, scheduler, service.clock, service.programme,
                        prefix=service.prefix)
    service.reminders = desk
    return Reminding(store, scheduler.book, scheduler, desk)


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite3"


@pytest.fixture
async def reminders(bot: Bot, service: SummitService, state_path: Path
                    ) -> AsyncIterator[Reminding]:
    running = reminding(service, bot.platform, state_path)
    try:
        yield running
    finally:
        running.store.close()


def talk(service: SummitService, title: str) -> Talk:
    programme = service.programme()
    assert programme is not None
    (found,) = [t for t in programme.talks if t.title == title]
    return found


def alice() -> Requester:
    return Requester("discord", ALICE_ID, name="alice")


async def remind(fake: FakeDiscord, key: str, minutes: int | None = None,
                 who: dict[str, Any] | None = None) -> dict[str, Any]:
    """/remind session:<key> [minutes:N]; the interaction reply's data."""
    options: dict[str, str | int] = {"session": key}
    if minutes is not None:
        options["minutes"] = minutes
    payload = fake.slash("remind", who, **options)
    deferred = await fake.interact(payload)
    # acknowledged privately at once (opening the DM channel may take a while), then the
    # reply replaces the acknowledgement
    assert deferred.json["type"] == 5 and deferred.json["data"]["flags"] & EPHEMERAL
    sent = await fake.webhook(payload, "PATCH")
    assert sent.path.endswith("/messages/@original")
    data: dict[str, Any] = sent.json
    assert data["allowed_mentions"] == NO_PINGS
    return data


def delivered(fake: FakeDiscord, user_id: str = ALICE_ID) -> list[Recorded]:
    """The reminders (not the confirmations) posted to the user's DM channel."""
    return [r for r in fake.dm_posts(user_id)
            if r.json["content"].startswith("Reminder: ")]


async def test_remind_confirms_by_direct_message_then_reminds_once_when_due(
        fake_discord: FakeDiscord, service: SummitService, reminders: Reminding,
        clock: FixedClock) -> None:
    keynote = talk(service, KEYNOTE)
    data = await remind(fake_discord, talk_key(keynote), minutes=15)
    assert data["content"].startswith(f"Set: I will remind you 15 min before {KEYNOTE} "
                                      "(Sun 2 Jun 09:00")
    assert data["content"].endswith("Saal 1) in a direct message.")

    (opened,) = fake_discord.matching("POST", "/users/@me/channels")
    assert str(opened.json["recipient_id"]) == ALICE_ID
    (confirmation,) = fake_discord.dm_posts(ALICE_ID)
    assert confirmation.json["content"].startswith(
        f"I will remind you here 15 min before {KEYNOTE} (Sun 2 Jun 09:00")
    assert confirmation.json["allowed_mentions"] == NO_PINGS
    assert confirmation.json["nonce"] and confirmation.json["enforce_nonce"] is True
    (pending,) = await reminders.book.of_person("discord", ALICE_ID) or [None]
    assert pending is not None and pending.minutes == 15

    assert await reminders.scheduler.step() > 0  # not due yet: nothing sent
    assert len(fake_discord.dm_posts(ALICE_ID)) == 1

    clock.moment = keynote.start - timedelta(minutes=15)
    await reminders.scheduler.step()
    (sent,) = delivered(fake_discord)
    lines = sent.json["content"].split("\n")
    assert lines[0] == f"Reminder: {KEYNOTE} starts in 15 min."
    assert lines[1].startswith("Sun 2 Jun 09:00") and lines[1].endswith("· Saal 1")
    assert lines[2].startswith("https://pretalx.example.org/")
    assert sent.json["allowed_mentions"] == NO_PINGS
    assert sent.json["enforce_nonce"] is True
    assert sent.json["nonce"] not in (None, confirmation.json["nonce"])

    await reminders.scheduler.step()  # exactly once
    assert len(delivered(fake_discord)) == 1
    assert await reminders.book.of_person("discord", ALICE_ID) == []
    assert len(fake_discord.matching("POST", "/users/@me/channels")) == 1  # kept open


async def test_a_person_whose_dms_are_refused_gets_no_reminder(
        fake_discord: FakeDiscord, service: SummitService, reminders: Reminding) -> None:
    fake_discord.refuse_dms.add(int(ALICE_ID))
    data = await remind(fake_discord, talk_key(talk(service, KEYNOTE)))
    assert data["content"].startswith(DIRECTS_REFUSED)
    assert "no reminder is set" in data["content"]
    assert len(fake_discord.dm_posts(ALICE_ID)) == 1  # the confirmation, answered 403
    assert await reminders.book.of_person("discord", ALICE_ID) == []


async def test_the_title_of_a_reminder_is_escaped_and_pings_no_one(
        fake_discord: FakeDiscord, service: SummitService, reminders: Reminding,
        clock: FixedClock) -> None:
    pagers = talk(service, PING_TITLE)
    await remind(fake_discord, talk_key(pagers), minutes=0)  # 0 is a value, not "none"
    (pending,) = await reminders.book.of_person("discord", ALICE_ID) or [None]
    assert pending is not None and pending.minutes == 0
    clock.moment = pagers.start
    await reminders.scheduler.step()
    (sent,) = delivered(fake_discord)
    assert sent.json["content"].startswith(f"Reminder: {PING_TITLE} starts now.")
    assert sent.json["allowed_mentions"] == NO_PINGS  # @everyone stays text


async def test_a_direct_message_discord_does_not_take_now_is_tried_again(
        fake_discord: FakeDiscord, service: SummitService, reminders: Reminding,
        clock: FixedClock) -> None:
    keynote = talk(service, KEYNOTE)
    await remind(fake_discord, talk_key(keynote), minutes=10)
    clock.moment = keynote.start - timedelta(minutes=10)
    fake_discord.fail_messages.append(503)
    assert await reminders.scheduler.step() == pytest.approx(RETRY_SECONDS)
    (refused,) = delivered(fake_discord)  # answered 503: kept, to be tried again
    assert len(await reminders.book.of_person("discord", ALICE_ID) or []) == 1
    clock.moment += timedelta(seconds=RETRY_SECONDS)
    await reminders.scheduler.step()
    _, sent = delivered(fake_discord)
    assert sent.json["content"].startswith(f"Reminder: {KEYNOTE} starts in ")
    assert sent.json["nonce"] == refused.json["nonce"]  # the same message, tried again
    assert await reminders.book.of_person("discord", ALICE_ID) == []


async def test_send_direct_says_sent_refused_or_failed(
        fake_discord: FakeDiscord, service: SummitService, discord_config: DiscordConfig,
        bot: Bot) -> None:
    platform = bot.platform
    assert isinstance(platform, DirectSender)  # what serve gives the scheduler
    assert await platform.send_direct(ALICE_ID, "*hi* @everyone", "r1") == "sent"
    (post,) = fake_discord.dm_posts(ALICE_ID)
    assert post.json["content"] == "\\*hi\\* @everyone"
    assert post.json["nonce"] == "r1" and post.json["allowed_mentions"] == NO_PINGS
    assert await platform.send_direct(ALICE_ID, "x " * 3000, "r2") == "sent"
    assert len(fake_discord.dm_posts(ALICE_ID)[-1].json["content"]) <= 2000
    assert await platform.send_direct("123", "hi", "r3") == "refused"  # no such user
    assert await platform.send_direct("not-an-id", "hi", "r4") == "refused"
    fake_discord.fail_messages.append(503)
    assert await platform.send_direct(ALICE_ID, "hi", "r5") == "failed"
    offline = DiscordPlatform(service, discord_config)  # never connected
    assert await offline.send_direct(ALICE_ID, "hi", "r6") == "failed"


async def test_remind_autocomplete_shows_the_label_and_sends_the_key(
        fake_discord: FakeDiscord, service: SummitService, reminders: Reminding) -> None:
    sent = await fake_discord.interact(fake_discord.autocomplete("remind", "session",
                                                                 "future summits"))
    assert sent.json["type"] == 8
    found = sent.json["data"]["choices"]
    keynote = talk(service, KEYNOTE)
    assert found[0] == {"name": talk_label(keynote), "value": talk_key(keynote)}
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in found)

    upcoming = await fake_discord.interact(fake_discord.autocomplete("remind", "session", ""))
    assert 0 < len(upcoming.json["data"]["choices"]) <= 25

    service.reminders = None  # reminders turned off: nothing to offer
    off = await fake_discord.interact(fake_discord.autocomplete("remind", "session", "fut"))
    assert off.json["data"]["choices"] == []


def _buttons(data: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [row["components"] for row in data.get("components") or []]


def _labels(data: dict[str, Any]) -> list[list[str]]:
    return [[b["label"] for b in row] for row in _buttons(data)]


def _custom_id(data: dict[str, Any], label: str) -> str:
    (found,) = [b["custom_id"] for row in _buttons(data) for b in row if b["label"] == label]
    return str(found)


def _edited(shown: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The message ``shown`` as an UPDATE_MESSAGE left it (what Discord sends with the next
    press: discord.py ignores a press on a button the message does not hold)."""
    return dict(shown, content=data.get("content") or "", embeds=data.get("embeds") or [],
                components=data.get("components") or [])


async def _ids(book: ReminderBook) -> list[int]:
    """The ids of Alice's reminders, in the order /reminders lists them."""
    return [r.id for r in await book.of_person("discord", ALICE_ID) or []]


def _made_up(n: int) -> Reminder:
    start = datetime.fromisoformat("2030-06-02T10:00:00+02:00")
    return Reminder(id=0, platform="discord", user=ALICE_ID, talk=f"made-up-{n}",
                    title=f"Talk {n}", start=start + timedelta(minutes=n), minutes=5,
                    room="Saal 3", zone="Europe/Berlin")


async def test_reminders_lists_with_a_cancel_button_each_for_the_owner_only(
        fake_discord: FakeDiscord, service: SummitService, reminders: Reminding) -> None:
    for title in (KEYNOTE, LATE):
        await reminders.desk.remind(alice(), talk_key(talk(service, title)), None)
    payload = fake_discord.slash("reminders")
    sent = await fake_discord.interact(payload)
    data = sent.json["data"]
    assert sent.json["type"] == 4 and data["flags"] & EPHEMERAL
    (embed,) = data["embeds"]
    assert embed["title"] == "Your reminders (2), soonest first"
    first, second = embed["description"].split("\n")
    assert first.startswith(f"1. {LATE} — Sun 2 Jun 01:30") and "(10 min before)" in first
    assert second.startswith(f"2. {KEYNOTE} — Sun 2 Jun 09:00")
    assert _labels(data) == [["Cancel 1", "Cancel 2"]]  # no Previous/Next for one page
    late_id, keynote_id = await _ids(reminders.book)
    assert _custom_id(data, "Cancel 1") == f"summit:reminders:cancel:{late_id}:0"
    assert _custom_id(data, "Cancel 2") == f"summit:reminders:cancel:{keynote_id}:0"
    shown = fake_discord.responses[payload["id"]]

    intruder = await fake_discord.interact(fake_discord.button(
        _custom_id(data, "Cancel 1"), shown, payload, member(BOB)))
    assert intruder.json["type"] == 4
    assert intruder.json["data"]["flags"] & EPHEMERAL
    assert intruder.json["data"]["content"] == NOT_YOUR_REMINDERS
    assert len(await reminders.book.of_person("discord", ALICE_ID) or []) == 2

    pressed = await fake_discord.interact(fake_discord.button(
        _custom_id(data, "Cancel 1"), shown, payload))
    assert pressed.json["type"] == 7  # UPDATE_MESSAGE: the list, one shorter
    updated = pressed.json["data"]
    assert updated["content"].startswith(f"Cancelled your reminder of {LATE} (")
    assert updated["embeds"][0]["description"].startswith(f"1. {KEYNOTE} — ")
    assert _labels(updated) == [["Cancel 1"]]
    assert _custom_id(updated, "Cancel 1") == f"summit:reminders:cancel:{keynote_id}:0"
    (left,) = await reminders.book.of_person("discord", ALICE_ID) or [None]
    assert left is not None and left.title == KEYNOTE

    last = await fake_discord.interact(fake_discord.button(
        _custom_id(updated, "Cancel 1"), _edited(shown, updated), payload))
    assert last.json["type"] == 7
    gone = last.json["data"]
    assert gone["content"].startswith(f"Cancelled your reminder of {KEYNOTE} (")
    assert "You have no reminders" in gone["content"]
    assert gone["embeds"] == [] and gone["components"] == []
    assert await reminders.book.of_person("discord", ALICE_ID) == []


async def test_reminders_pages_hold_twenty_cancel_buttons_and_the_pager(
        fake_discord: FakeDiscord, service: SummitService, reminders: Reminding) -> None:
    for n in range(21):
        assert await reminders.book.add(_made_up(n)) == ("added", None)
    payload = fake_discord.slash("reminders")
    data = (await fake_discord.interact(payload)).json["data"]
    rows = _labels(data)
    assert rows[:4] == [[f"Cancel {n}" for n in range(r * 5 + 1, r * 5 + 6)]
                        for r in range(4)]
    assert rows[4] == ["Previous", "Next"]
    assert sum(map(len, rows)) <= 25 and len(rows) <= 5
    previous, next_ = _buttons(data)[4]
    assert previous["disabled"] and not next_["disabled"]
    assert previous["custom_id"] == "summit:reminders:page:0:0"
    assert next_["custom_id"] == "summit:reminders:page:1:0"
    assert data["embeds"][0]["footer"]["text"].startswith("Page 1 of 2")
    shown = fake_discord.responses[payload["id"]]

    turned = await fake_discord.interact(fake_discord.button(next_["custom_id"], shown,
                                                             payload))
    page2 = turned.json["data"]
    assert page2["embeds"][0]["description"].startswith("21. Talk 20 — ")
    assert _labels(page2) == [["Cancel 21"], ["Previous", "Next"]]
    previous, next_ = _buttons(page2)[1]
    assert not previous["disabled"] and next_["disabled"]
    assert _custom_id(page2, "Cancel 21") == \
        f"summit:reminders:cancel:{(await _ids(reminders.book))[20]}:1"

    cancelled = await fake_discord.interact(fake_discord.button(
        _custom_id(page2, "Cancel 21"), _edited(shown, page2), payload))
    back = cancelled.json["data"]  # 20 left: one page, no pager
    assert back["content"].startswith("Cancelled your reminder of Talk 20 (")
    assert [len(row) for row in _labels(back)] == [5, 5, 5, 5]
    assert len(await reminders.book.of_person("discord", ALICE_ID) or []) == 20


def test_the_reminder_buttons_never_time_out_and_their_ids_are_unique() -> None:
    listing = ReminderList([replace(_made_up(n), id=10**18 + n) for n in range(45)], page=1)
    view = reminder_view(listing)
    assert view.timeout is None
    assert all(isinstance(item, ReminderButton) for item in view.children)
    ids = [item.custom_id for item in view.children if isinstance(item, ReminderButton)]
    assert len(ids) == 22 == len(set(ids)) and max(map(len, ids)) <= 100
    assert ids[-2:] == ["summit:reminders:page:0:1", "summit:reminders:page:2:1"]


async def test_a_cancel_button_pressed_after_a_restart_still_cancels_and_edits_the_list(
        fake_discord: FakeDiscord, service: SummitService, discord_config: DiscordConfig,
        state_path: Path) -> None:
    """The bot that showed the list is gone, and its views with it: a new process object
    (a new client, the same state database) takes the press from the button's id alone."""
    first = await start_bot(fake_discord, service, discord_config)
    running = reminding(service, first.platform, state_path)
    try:
        for title in (KEYNOTE, LATE):
            await running.desk.remind(alice(), talk_key(talk(service, title)), None)
        payload = fake_discord.slash("reminders")
        data = (await fake_discord.interact(payload)).json["data"]
        shown = fake_discord.responses[payload["id"]]
    finally:
        running.store.close()
        await first.stop()

    again = await start_bot(fake_discord, service, discord_config)  # a restart
    restarted = reminding(service, again.platform, state_path)
    try:
        assert again.platform.client is not first.platform.client
        cancel_keynote = _custom_id(data, "Cancel 2")
        intruder = await fake_discord.interact(fake_discord.button(
            cancel_keynote, shown, payload, member(BOB)))
        assert intruder.json["type"] == 4 and intruder.json["data"]["flags"] & EPHEMERAL
        assert intruder.json["data"]["content"] == NOT_YOUR_REMINDERS

        pressed = await fake_discord.interact(fake_discord.button(cancel_keynote, shown,
                                                                  payload))
        assert pressed.json["type"] == 7  # UPDATE_MESSAGE: the list, edited in place
        updated = pressed.json["data"]
        assert updated["allowed_mentions"] == NO_PINGS
        assert updated["content"].startswith(f"Cancelled your reminder of {KEYNOTE} (")
        (embed,) = updated["embeds"]
        assert embed["title"] == "Your reminders (1), soonest first"
        assert embed["description"].startswith(f"1. {LATE} — ")
        assert _labels(updated) == [["Cancel 1"]]
        (left,) = await restarted.book.of_person("discord", ALICE_ID) or [None]
        assert left is not None and left.title == LATE
        assert _custom_id(updated, "Cancel 1") == f"summit:reminders:cancel:{left.id}:0"
    finally:
        restarted.store.close()
        await again.stop()


async def test_agenda_attaches_an_ics_file_of_the_reminded_talks(
        fake_discord: FakeDiscord, service: SummitService, reminders: Reminding) -> None:
    keynote = talk(service, KEYNOTE)
    await reminders.desk.remind(alice(), talk_key(keynote), "20")

    plain = await fake_discord.interact(fake_discord.slash("agenda"))
    assert plain.files == {}
    assert plain.json["data"]["content"].split("\n") == [
        "Your agenda:", "Sunday 2 June", f"- 09:00 {KEYNOTE} · Saal 1"]

    sent = await fake_discord.interact(fake_discord.slash("agenda", ics=True))
    assert sent.json["type"] == 4
    data = sent.json["data"]
    assert data["flags"] & EPHEMERAL and data["allowed_mentions"] == NO_PINGS
    assert data["content"].endswith("(The calendar file is attached as summit-agenda.ics.)")
    assert [a["filename"] for a in data["attachments"]] == ["summit-agenda.ics"]
    calendar = Calendar.from_ical(sent.files["summit-agenda.ics"])
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == KEYNOTE
    assert event.decoded("DTSTART") == keynote.start
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(minutes=20)


async def test_a_reminder_asked_before_a_restart_is_sent_once_after_it(
        fake_discord: FakeDiscord, service: SummitService, bot: Bot, reminders: Reminding,
        state_path: Path, clock: FixedClock) -> None:
    keynote = talk(service, KEYNOTE)
    await remind(fake_discord, talk_key(keynote), minutes=5)
    reminders.store.close()  # the bot stops

    again = reminding(service, bot.platform, state_path)
    try:
        clock.moment = keynote.start - timedelta(minutes=5)
        await again.scheduler.step()
        await again.scheduler.step()
    finally:
        again.store.close()
    (sent,) = delivered(fake_discord)
    assert sent.json["content"].startswith(f"Reminder: {KEYNOTE} starts in 5 min.")


async def test_a_crash_between_sending_and_forgetting_sends_the_same_nonce_again(
        fake_discord: FakeDiscord, service: SummitService, bot: Bot, reminders: Reminding,
        state_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The row keeps the nonce it is sent with: sent again after a crash, Discord (here
    the fake, honouring ``enforce_nonce``) keeps one message."""
    keynote = talk(service, KEYNOTE)
    await remind(fake_discord, talk_key(keynote), minutes=5)
    clock.moment = keynote.start - timedelta(minutes=5)

    async def crash(reminder: Reminder, event: str, ref: str | None) -> bool:
        return False  # the process died before the row was deleted

    monkeypatch.setattr(reminders.book, "done", crash)
    await reminders.scheduler.step()
    reminders.store.close()

    again = reminding(service, bot.platform, state_path)
    try:
        clock.moment += timedelta(seconds=20)
        await again.scheduler.step()
        assert await again.book.of_person("discord", ALICE_ID) == []
    finally:
        again.store.close()
    first, second = delivered(fake_discord)
    assert first.json["nonce"] == second.json["nonce"]
    assert first.json["enforce_nonce"] is True and second.json["enforce_nonce"] is True


async def test_the_reminder_options_are_registered_with_discords_limits(
        fake_discord: FakeDiscord, bot: Bot) -> None:
    (put,) = fake_discord.matching("PUT", "/commands")
    assert put.path == f"/applications/{APP_ID}/commands"
    schema = {c["name"]: c for c in put.json}
    assert "unremind" not in schema  # buttons do it on Discord
    session, minutes = schema["remind"]["options"]
    assert session["name"] == "session" and session["type"] == 3
    assert session["required"] is True and session["autocomplete"] is True
    assert minutes["name"] == "minutes" and minutes["type"] == 4  # INTEGER
    assert minutes["required"] is False
    assert minutes["min_value"] == 0 and minutes["max_value"] == MAX_MINUTES == 1440
    assert "options" not in schema["reminders"] or not schema["reminders"]["options"]
    (ics,) = schema["agenda"]["options"]
    assert ics["name"] == "ics" and ics["type"] == 5 and ics["required"] is False  # BOOLEAN
