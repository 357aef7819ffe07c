"""Personal reminders through the service's commands and the scheduler, with a clock the
test moves (no sleeping) and a recording direct-message sender in place of a platform.

The platforms' own sides (a Discord DM over the wire, a Matrix direct room on Synapse) are
tested in tests/discord/test_reminders.py and tests/matrix/test_matrix_reminders.py.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.commands import Notice, Requester, SummitService
from bot.commands.reminders import ReminderDesk, split_minutes, talk_label
from bot.commands.results import Agenda, ReminderList
from bot.commands.table import BY_NAME, Call
from bot.feedback.report import build_report
from bot.feedback.store import StateStore
from bot.reminders.book import ReminderBook, TalkNow
from bot.reminders.delivery import Delivery
from bot.reminders.models import MAX_PER_PERSON, talk_key
from bot.reminders.scheduler import ReminderScheduler
from tests.schedule.sample import EVENTS, write_sample

CEPH = "a0000000-0000-0000-0000-000000000101"
RUST = "a0000000-0000-0000-0000-000000000102"


class SettableClock:
    def __init__(self, iso: str):
        self.moment = datetime.fromisoformat(iso)

    def now(self) -> datetime:
        return self.moment


class Inbox:
    """A platform's direct messages, recorded (the platform boundary, not our code)."""

    name = "discord"

    def __init__(self, answer: Delivery = "sent"):
        self.answer: Delivery = answer
        self.sent: list[tuple[str, str, str]] = []  # (user, text, ref)

    async def send_direct(self, user: str, text: str, ref: str) -> Delivery:
        if self.answer == "sent":
            self.sent.append((user, text, ref))
        return self.answer


class Bot:
    """A service over the sample schedule with reminders wired as ``serve`` wires them."""

    def __init__(self, service: SummitService, store: StateStore, clock: SettableClock,
                 inbox: Inbox):
        self.service, self.store, self.clock, self.inbox = service, store, clock, inbox
        self.book = ReminderBook(store)
        self.scheduler = ReminderScheduler(self.book, clock, [inbox], service.programme)
        service.reminders = ReminderDesk(self.book, self.scheduler, clock, service.programme)
        service.reload_hooks.append(self.scheduler.programme_changed)

    async def run(self, line: str, user: str = "111") -> object:
        name, _, rest = line.partition(" ")
        return await BY_NAME[name].run(self.service, Call(Requester("discord", user), rest))

    def restart(self) -> Bot:
        """The same files, a new process's objects (the store closed first)."""
        self.store.close()
        self.service.reload_hooks.remove(self.scheduler.programme_changed)
        return Bot(self.service, StateStore(self.store.path), self.clock, self.inbox)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    write_sample(tmp_path / "programme")
    service = SummitService(tmp_path / "index.sqlite3", [tmp_path / "programme"])
    await service.start()
    made = Bot(service, StateStore(tmp_path / "state.sqlite3"),
               SettableClock("2030-06-01T08:00:00+02:00"), Inbox())
    try:
        yield made
    finally:
        made.store.close()
        await service.close()


def text(reply: object) -> str:
    assert isinstance(reply, Notice), reply
    return reply.text


async def test_a_reminder_is_confirmed_by_direct_message_and_sent_once_when_due(
        bot: Bot) -> None:
    reply = text(await bot.run("remind 15 ceph storage"))
    assert reply.startswith("Set: I will remind you 15 min before Storage at Scale with Ceph")
    assert "Sat 1 Jun 10:00 CEST" in reply and "Saal 1" in reply
    assert len(bot.inbox.sent) == 1 and bot.inbox.sent[0][0] == "111"
    assert "I will remind you here 15 min before" in bot.inbox.sent[0][1]

    bot.clock.moment = datetime.fromisoformat("2030-06-01T09:44:00+02:00")
    assert await bot.scheduler.step() == pytest.approx(60)  # due at 09:45, no sooner
    assert len(bot.inbox.sent) == 1
    bot.clock.moment += timedelta(minutes=1)
    await bot.scheduler.step()
    assert len(bot.inbox.sent) == 2
    user, sent, _ = bot.inbox.sent[1]
    assert user == "111"
    assert sent.startswith("Reminder: Storage at Scale with Ceph starts in 15 min.")
    assert "Saal 1" in sent and "https://pretalx.example.org/tsum/talk/000101/" in sent
    await bot.scheduler.step()
    assert len(bot.inbox.sent) == 2  # never twice
    assert await bot.book.of_person("discord", "111") == []  # the row (and the id) is gone


async def test_a_title_that_matches_several_talks_asks_which(bot: Bot) -> None:
    reply = text(await bot.run("remind soldering workshop"))
    assert reply.startswith("Several talks match “soldering workshop”:")
    assert reply.count("Soldering Workshop · ") == 2 and "which one?" in reply
    assert await bot.book.of_person("discord", "111") == []


@pytest.mark.parametrize(("line", "expected"), [
    ("remind 1441 ceph", "Give the minutes as a whole number from 0 to 1440"),
    ("remind -5 ceph", "Give the minutes as a whole number from 0 to 1440"),
    ("remind 10 blockchain toaster", "No talk in the schedule matches"),
    ("remind 10 quantum widgets", "Quantum Widgets is cancelled"),
    ("remind", "Name the talk"),
])
async def test_bad_reminders_get_one_sentence_and_store_nothing(bot: Bot, line: str,
                                                                expected: str) -> None:
    assert expected in text(await bot.run(line))
    assert await bot.book.of_person("discord", "111") == []
    assert bot.inbox.sent == []


async def test_a_talk_that_started_is_refused(bot: Bot) -> None:
    bot.clock.moment = datetime.fromisoformat("2030-06-01T10:05:00+02:00")
    assert "already started" in text(await bot.run("remind ceph"))


async def test_the_autocomplete_value_is_the_talks_stable_key(bot: Bot) -> None:
    desk = bot.service.reminders
    assert desk is not None
    choices = desk.choices("soldering", 25)
    assert [label for label, _ in choices][:2] == [
        "Soldering Workshop · Sat 1 Jun 15:00 · Saal 2",
        "Soldering Workshop · Sun 2 Jun 11:00 · Saal 2"]
    assert all(len(label) <= 100 and len(key) <= 100 for label, key in choices)
    second = choices[1][1]
    assert second.endswith("0108")
    reply = await desk.remind(Requester("discord", "111"), second, "5")
    assert "Sun 2 Jun 11:00" in text(reply)
    # neither a cancelled talk nor one that has started is offered
    assert not any("Quantum" in label for label, _ in desk.choices("quantum", 25))
    bot.clock.moment = datetime.fromisoformat("2030-06-01T10:01:00+02:00")
    assert not any("Ceph" in label for label, _ in desk.choices("ceph", 25))


async def test_a_refused_direct_message_stores_nothing(bot: Bot) -> None:
    bot.inbox.answer = "refused"
    reply = text(await bot.run("remind ceph"))
    assert reply.startswith("I cannot send you direct messages")
    assert await bot.book.of_person("discord", "111") == []


async def test_asking_again_changes_the_minutes_and_the_cap_is_fifty(bot: Bot) -> None:
    await bot.run("remind 10 ceph")
    assert text(await bot.run("remind 30 ceph")).startswith("Changed your reminder")
    mine = await bot.book.of_person("discord", "111")
    assert mine is not None and [r.minutes for r in mine] == [30]
    # fill up to the cap with rows of made-up talks, then ask for one more real one
    template = mine[0]
    for n in range(MAX_PER_PERSON - 1):
        assert await bot.book.add(dataclasses.replace(template, talk=f"x{n}")) \
            == ("added", None)
    reply = text(await bot.run("remind rust kernel"))
    assert reply.startswith(f"You have {MAX_PER_PERSON} reminders")
    assert len(await bot.book.of_person("discord", "111") or []) == MAX_PER_PERSON


async def test_reminders_lists_and_unremind_cancels_only_ones_own(bot: Bot) -> None:
    await bot.run("remind 5 observability")
    await bot.run("remind ceph")
    listing = await bot.run("reminders")
    assert isinstance(listing, ReminderList)
    assert [r.title for r in listing.reminders] == ["Storage at Scale with Ceph",
                                                    "Observability Deep Dive"]
    assert "no reminders" in text(await bot.run("reminders", user="222"))
    assert "You have no reminders to cancel" in text(await bot.run("unremind 1", user="222"))
    assert "from 1 to 2" in text(await bot.run("unremind 3"))
    desk = bot.service.reminders
    assert desk is not None
    other = await desk.cancel_id(Requester("discord", "222"), listing.reminders[0].id)
    assert "not yours" in other.text
    assert text(await bot.run("unremind 1")).startswith(
        "Cancelled your reminder of Storage at Scale with Ceph")
    left = await bot.book.of_person("discord", "111")
    assert left is not None and [r.title for r in left] == ["Observability Deep Dive"]


async def test_the_agenda_is_in_time_order_and_its_ics_parses_back(bot: Bot) -> None:
    await bot.run("remind 20 future of summits")
    await bot.run("remind ceph")
    agenda = await bot.service.reminders.agenda(  # type: ignore[union-attr]
        Requester("discord", "111"), ics=True)
    assert isinstance(agenda, Agenda) and agenda.ics is not None
    calendar = Calendar.from_ical(agenda.ics)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["Storage at Scale with Ceph",
                                                   "The Future of Summits"]
    assert events[0].decoded("DTSTART") == datetime.fromisoformat("2030-06-01T10:00+02:00")
    assert events[0].decoded("DTEND") == datetime.fromisoformat("2030-06-01T10:45+02:00")
    assert str(events[0]["LOCATION"]) == "Saal 1"
    alarms = [c for c in events[1].walk("VALARM")]
    assert alarms[0].decoded("TRIGGER") == timedelta(minutes=-20)


async def test_a_restart_between_asking_and_due_still_delivers_exactly_once(
        bot: Bot) -> None:
    await bot.run("remind 10 rust kernel")
    again = bot.restart()
    again.clock.moment = datetime.fromisoformat("2030-06-01T09:50:00+02:00")
    await again.scheduler.step()
    await again.scheduler.step()
    reminders = [m for m in again.inbox.sent if m[1].startswith("Reminder:")]
    assert len(reminders) == 1
    bot.store = again.store  # closed by the fixture


async def test_a_crash_between_sending_and_marking_sent_resends_with_the_same_id(
        bot: Bot) -> None:
    await bot.run("remind 10 rust kernel")
    bot.clock.moment = datetime.fromisoformat("2030-06-01T09:50:00+02:00")

    class Crashing(Inbox):
        async def send_direct(self, user: str, text: str, ref: str) -> Delivery:
            await super().send_direct(user, text, ref)
            await asyncio.Event().wait()  # the platform took it; the process dies here
            return "sent"

    crashing = Crashing()
    bot.scheduler.senders["discord"] = crashing
    stepping = asyncio.ensure_future(bot.scheduler.step())
    while not crashing.sent:
        await asyncio.sleep(0.01)
    stepping.cancel()  # killed between sending and marking it sent
    with pytest.raises(asyncio.CancelledError):
        await stepping
    again = bot.restart()
    await again.scheduler.step()
    first_ref = crashing.sent[0][2]
    resent = [m for m in again.inbox.sent if m[1].startswith("Reminder:")]
    assert [ref for _, _, ref in resent] == [first_ref]  # the platform keeps one of the two
    assert await again.book.pending() == 0
    bot.store = again.store


async def test_a_reminder_due_while_down_is_sent_late_or_dropped_after_the_talk(
        bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    await bot.run("remind 10 ceph")
    await bot.run("remind 10 rust kernel")
    # the bot was down from 09:45 to 10:50: Ceph (10:00–10:45) has ended, Rust runs to 11:00
    bot.clock.moment = datetime.fromisoformat("2030-06-01T10:50:00+02:00")
    with caplog.at_level(logging.INFO, logger="bot.reminders.scheduler"):
        await bot.scheduler.step()
    sent = [m[1] for m in bot.inbox.sent if m[1].startswith("Reminder:")]
    assert sent == [sent[0]] and sent[0].startswith(
        "Reminder: Rust for Kernel Hackers started 50 min ago.")
    assert "dropped a message about 'Storage at Scale with Ceph'" in caplog.text
    assert await bot.book.pending() == 0


async def _reschedule(bot: Bot, tmp_path: Path, change: dict[str, dict[str, object]],
                      drop: tuple[str, ...] = ()) -> None:
    events = []
    for event in copy.deepcopy(EVENTS):
        if event["guid"] in drop:
            continue
        event.update(change.get(event["guid"], {}))
        events.append(event)
    write_sample(tmp_path / "programme", events)
    report = await bot.service.reload(Requester("test", "admin", is_admin=True))
    assert not isinstance(report, Notice) and report.ok, report
    await bot.scheduler.follow()


async def test_a_refresh_that_moves_the_talk_moves_the_reminder(bot: Bot,
                                                                tmp_path: Path) -> None:
    await bot.run("remind 10 ceph")
    await _reschedule(bot, tmp_path, {CEPH: {"date": "2030-06-01T16:00:00+02:00",
                                             "start": "16:00", "room": "Saal 2"}})
    mine = await bot.book.of_person("discord", "111")
    assert mine is not None and len(mine) == 1
    assert mine[0].start == datetime.fromisoformat("2030-06-01T16:00:00+02:00")
    assert mine[0].room == "Saal 2"
    bot.clock.moment = datetime.fromisoformat("2030-06-01T09:50:00+02:00")
    await bot.scheduler.step()
    assert not any(m[1].startswith("Reminder:") for m in bot.inbox.sent)  # not at 09:50
    bot.clock.moment = datetime.fromisoformat("2030-06-01T15:50:00+02:00")
    await bot.scheduler.step()
    assert [m[1].splitlines()[:2] for m in bot.inbox.sent if m[1].startswith("Reminder:")] \
        == [["Reminder: Storage at Scale with Ceph starts in 10 min.",
             "Sat 1 Jun 16:00 CEST (UTC+02:00) · Saal 2"]]


async def test_a_refresh_that_cancels_the_talk_sends_one_message_instead(
        bot: Bot, tmp_path: Path) -> None:
    await bot.run("remind 10 ceph")
    await bot.run("remind 10 ceph", user="222")
    await bot.run("remind 10 rust kernel")
    await _reschedule(bot, tmp_path, {CEPH: {"state": "canceled"}}, drop=(RUST,))
    bot.inbox.sent.clear()
    await bot.scheduler.step()
    await bot.scheduler.step()
    by_user = sorted((user, sent) for user, sent, _ in bot.inbox.sent)
    assert by_user == [
        ("111", "Rust for Kernel Hackers (Sat 1 Jun 10:00 CEST (UTC+02:00) · Saal 2) is no "
                "longer in the schedule, so your reminder of it is removed."),
        ("111", "Storage at Scale with Ceph (Sat 1 Jun 10:00 CEST (UTC+02:00) · Saal 1) has "
                "been cancelled, so your reminder of it is removed."),
        ("222", "Storage at Scale with Ceph (Sat 1 Jun 10:00 CEST (UTC+02:00) · Saal 1) has "
                "been cancelled, so your reminder of it is removed.")]
    assert await bot.book.pending() == 0
    bot.clock.moment = datetime.fromisoformat("2030-06-01T09:55:00+02:00")
    await bot.scheduler.step()
    assert len(bot.inbox.sent) == 3  # no reminder after the cancellation


async def test_a_schedule_that_lost_its_whole_conference_cancels_nothing(
        bot: Bot, tmp_path: Path) -> None:
    await bot.run("remind 10 ceph")
    # an empty schedule, and one of another summit
    followed = await bot.book.follow({}, set(), bot.clock.now())
    assert followed is not None and followed.cancelled == 0
    followed = await bot.book.follow(
        {"Other Summit|x": TalkNow(bot.clock.now(), bot.clock.now(), "x", None, None, False)},
        {"Other Summit"}, bot.clock.now())
    assert followed is not None and followed.cancelled == 0
    assert await bot.book.pending() == 1


async def test_a_broken_state_database_refuses_reminders_with_a_sentence(
        tmp_path: Path, bot: Bot) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    store = StateStore(broken)
    try:
        desk = ReminderDesk(ReminderBook(store), bot.scheduler, bot.clock,
                            bot.service.programme)
        reply = await desk.remind(Requester("discord", "111"), "ceph", None)
        assert reply.text.startswith("I cannot store reminders right now")
        assert bot.inbox.sent == []
        listing = await desk.list(Requester("discord", "111"))
        assert isinstance(listing, Notice) and "cannot read reminders" in listing.text
    finally:
        store.close()


async def test_the_report_counts_reminders_asked_and_sent(bot: Bot) -> None:
    await bot.run("remind 10 ceph")
    await bot.run("remind 10 rust kernel")
    await bot.run("unremind 2")
    bot.clock.moment = datetime.fromisoformat("2030-06-01T09:50:00+02:00")
    await bot.scheduler.step()
    report = await bot.store.read(lambda conn: build_report(conn, 30))
    assert report is not None
    assert report.reminders == {"asked": 2, "cancelled": 1, "sent": 1, "pending": 0}


def test_minutes_come_first_on_matrix() -> None:
    assert split_minutes("15 iridium") == ("15", "iridium")
    assert split_minutes("15 min iridium talk") == ("15", "iridium talk")
    assert split_minutes("iridium") == (None, "iridium")
    assert split_minutes("2038 problem") == ("2038", "problem")  # then refused: out of range
    assert split_minutes("15") == (None, "15")


async def test_keys_and_labels_fit_a_pick_list(bot: Bot) -> None:
    programme = bot.service.programme()
    assert programme is not None
    for talk in programme.talks:
        assert len(talk_key(talk)) <= 100 and len(talk_label(talk)) <= 100
    keys = [talk_key(t) for t in programme.talks]
    assert len(set(keys)) == len(keys)


async def test_a_state_database_of_before_reminders_is_migrated_forward(
        tmp_path: Path) -> None:
    import sqlite3

    from bot.feedback.store import MIGRATIONS, SCHEMA_VERSION

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:  # as a summit-bot of schema 1 left it
        conn.executescript(MIGRATIONS[0])
        conn.execute("INSERT INTO meta VALUES ('salt', ?)", ("ab" * 32,))
        conn.execute("INSERT INTO questions VALUES ('a1', 1.0, 'discord', NULL, NULL, "
                     "'answered', 'q?', NULL, NULL, NULL, NULL, '[]', '[]', NULL)")
        conn.execute("PRAGMA user_version = 1")
    old = build_report(sqlite3.connect(f"file:{path}?mode=ro", uri=True), 1e6)
    assert old.questions == 1 and old.reminders == {}  # the CLI reads it before migrating
    store = StateStore(path)
    try:
        assert await ReminderBook(store).pending() == 0
        version = await store.read(lambda c: c.execute("PRAGMA user_version").fetchone()[0])
        kept = await store.read(lambda c: c.execute("SELECT count(*) FROM questions"
                                                    ).fetchone()[0])
    finally:
        store.close()
    assert (version, kept) == (SCHEMA_VERSION, 1)


async def test_metrics_count_pending_and_sent_reminders(bot: Bot) -> None:
    from bot.ops.metrics import Metrics

    metrics = Metrics(bot.service, [])
    metrics.attach()
    try:
        await bot.run("remind 10 ceph")
        await bot.run("remind 10 rust kernel", user="222")
        await bot.scheduler.step()
        assert "summit_bot_reminders_pending 2.0" in metrics.render().decode()
        bot.clock.moment = datetime.fromisoformat("2030-06-01T09:50:00+02:00")
        await bot.scheduler.step()
        text = metrics.render().decode()
    finally:
        metrics.detach()
    assert "summit_bot_reminders_pending 0.0" in text
    assert 'summit_bot_reminders_sent_total{outcome="sent",platform="discord"} 2.0' in text


async def test_a_repeated_title_with_one_run_still_to_come_picks_that_one(bot: Bot) -> None:
    bot.clock.moment = datetime.fromisoformat("2030-06-01T16:30:00+02:00")
    reply = text(await bot.run("remind soldering workshop"))
    assert reply.startswith("Set: I will remind you 10 min before Soldering Workshop "
                            "(Sun 2 Jun 11:00")


async def test_a_change_that_cannot_be_confirmed_keeps_the_reminder_as_it_was(
        bot: Bot) -> None:
    await bot.run("remind 10 ceph")
    bot.inbox.answer = "failed"  # the platform reconnecting
    reply = text(await bot.run("remind 5 ceph"))
    assert reply.startswith("I could not confirm the change by direct message, so your "
                            "reminder stays at 10 min before Storage at Scale with Ceph")
    mine = await bot.book.of_person("discord", "111")
    assert mine is not None and [r.minutes for r in mine] == [10]


async def test_a_reminder_changed_while_it_is_being_sent_is_not_lost(bot: Bot) -> None:
    await bot.run("remind 10 ceph")
    bot.clock.moment = datetime.fromisoformat("2030-06-01T09:50:00+02:00")

    class Slow(Inbox):
        """Takes the message, and meanwhile the person changes the reminder to 5 min."""

        async def send_direct(self, user: str, text: str, ref: str) -> Delivery:
            if not self.sent:
                assert await bot.book.add(dataclasses.replace(
                    mine[0], minutes=5)) == ("changed", 10)
            return await super().send_direct(user, text, ref)

    mine = await bot.book.of_person("discord", "111") or []
    slow = Slow()
    bot.scheduler.senders["discord"] = slow
    await bot.scheduler.step()
    left = await bot.book.of_person("discord", "111")
    assert left is not None and [r.minutes for r in left] == [5]  # still to come
    bot.clock.moment = datetime.fromisoformat("2030-06-01T09:55:00+02:00")
    await bot.scheduler.step()
    assert [t.splitlines()[0] for _, t, _ in slow.sent] == [
        "Reminder: Storage at Scale with Ceph starts in 10 min.",
        "Reminder: Storage at Scale with Ceph starts in 5 min."]


async def test_every_reminder_of_a_moved_talk_moves_even_if_one_was_set_again(
        bot: Bot, tmp_path: Path) -> None:
    for user in ("a", "b", "c"):
        await bot.run("remind 10 ceph", user=user)
    moved = {CEPH: {"date": "2030-06-01T12:00:00+02:00", "start": "12:00"}}
    events = []
    for event in copy.deepcopy(EVENTS):
        event.update(moved.get(event["guid"], {}))
        events.append(event)
    write_sample(tmp_path / "programme", events)
    report = await bot.service.reload(Requester("test", "admin", is_admin=True))
    assert not isinstance(report, Notice) and report.ok
    # the first to ask sets hers again (at the new time) before the scheduler follows
    await bot.run("remind 10 ceph", user="a")
    await bot.scheduler.follow()
    for user in ("a", "b", "c"):
        (mine,) = await bot.book.of_person("discord", user) or [None]
        assert mine is not None and mine.start.hour == 12, user


async def test_a_notice_that_cannot_be_sent_is_dropped_when_the_talk_time_is_over(
        bot: Bot, tmp_path: Path) -> None:
    await bot.run("remind 10 ceph")
    bot.inbox.answer = "failed"
    await _reschedule(bot, tmp_path, {CEPH: {"state": "canceled"}})
    await bot.scheduler.step()
    assert await bot.book.pending() == 1  # tried again later
    bot.clock.moment = datetime.fromisoformat("2030-06-01T10:46:00+02:00")  # it would be over
    await bot.scheduler.step()
    assert await bot.book.pending() == 0


async def test_reminder_ids_are_never_reused(bot: Bot) -> None:
    await bot.run("remind 10 ceph")
    (first,) = await bot.book.of_person("discord", "111") or []
    await bot.run("unremind 1")
    await bot.run("remind 10 rust kernel")
    (second,) = await bot.book.of_person("discord", "111") or []
    assert second.id != first.id  # a stale Cancel button of the first cancels nothing
    found = await bot.book.cancel("discord", "111", first.id)
    assert found == (None,)


def test_a_title_that_starts_with_a_number_is_not_read_as_minutes() -> None:
    assert split_minutes("3D printing for all") == (None, "3D printing for all")
    assert split_minutes("5G security") == (None, "5G security")
    assert split_minutes("15min iridium") == ("15", "iridium")
    assert split_minutes("15 minutes iridium") == ("15", "iridium")


def test_the_ics_writes_bare_offsets_in_utc_and_named_zones_with_a_vtimezone() -> None:
    from bot.reminders.ics import agenda_ics
    from bot.reminders.models import Reminder

    start = datetime.fromisoformat("2030-06-01T10:00:00+02:00")
    bare = Reminder(id=1, platform="discord", user="1", talk="t1", title="Offset only",
                    start=start, minutes=10)
    named = dataclasses.replace(bare, id=2, talk="t2", title="Named",
                                zone="Europe/Berlin")
    ics = agenda_ics([bare, named])
    calendar = Calendar.from_ical(ics)
    first, second = calendar.walk("VEVENT")
    assert first.decoded("DTSTART") == start and b"DTSTART:20300601T080000Z" in ics
    assert second.decoded("DTSTART") == start
    assert b"DTSTART;TZID=Europe/Berlin:20300601T100000" in ics
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


async def test_the_console_sets_reminders_for_its_one_person_and_shows_the_ics(
        bot: Bot) -> None:
    from bot.platforms.console import ConsolePlatform

    console = ConsolePlatform(bot.service)
    bot.scheduler.senders["console"] = console
    reply = await console.handle("!remind 5 ceph")
    assert reply.startswith("Set: I will remind you 5 min before Storage at Scale with Ceph")
    assert reply.endswith("in this terminal.")
    agenda = await console.handle("!agenda ics")
    assert agenda.startswith("Your agenda:\nSaturday 1 June\n- 10:00 Storage at Scale")
    calendar = Calendar.from_ical(agenda[agenda.index("BEGIN:VCALENDAR"):].encode())
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "Storage at Scale with Ceph"]


async def test_people_are_told_once_when_their_talk_moves_and_not_for_a_rename(
        bot: Bot, tmp_path: Path) -> None:
    await bot.run("remind 10 ceph")
    await bot.run("remind 15 ceph", user="222")
    await bot.run("remind 10 rust kernel")
    bot.inbox.sent.clear()
    await _reschedule(bot, tmp_path, {
        CEPH: {"date": "2030-06-01T15:00:00+02:00", "start": "15:00"},
        RUST: {"title": "Rust for Kernel People"}})  # renamed only: not news
    # moved again before anyone was told: one message each, with the latest facts
    await _reschedule(bot, tmp_path, {
        CEPH: {"date": "2030-06-01T16:00:00+02:00", "start": "16:00", "room": "Saal 2"},
        RUST: {"title": "Rust for Kernel People"}})
    await bot.scheduler.step()
    await bot.scheduler.step()
    assert sorted((user, sent) for user, sent, _ in bot.inbox.sent) == [
        ("111", "Storage at Scale with Ceph has moved: now Sat 1 Jun 16:00 CEST (UTC+02:00) "
                "· Saal 2. Your reminder (10 min before) moved with it."),
        ("222", "Storage at Scale with Ceph has moved: now Sat 1 Jun 16:00 CEST (UTC+02:00) "
                "· Saal 2. Your reminder (15 min before) moved with it.")]
    listing = await bot.run("reminders")
    assert isinstance(listing, ReminderList) and [r.title for r in listing.reminders] == [
        "Rust for Kernel People", "Storage at Scale with Ceph"]  # notes are not reminders
    bot.clock.moment = datetime.fromisoformat("2030-06-01T15:50:00+02:00")
    await bot.scheduler.step()
    assert bot.inbox.sent[-1][1].startswith("Reminder: Storage at Scale with Ceph starts in")


async def test_news_of_a_move_is_dropped_if_the_reminder_or_the_talk_goes_first(
        bot: Bot, tmp_path: Path) -> None:
    await bot.run("remind 10 ceph")
    await bot.run("remind 10 ceph", user="222")
    bot.inbox.sent.clear()  # the confirmations
    bot.inbox.answer = "failed"  # nothing gets out for now
    await _reschedule(bot, tmp_path, {
        CEPH: {"date": "2030-06-01T16:00:00+02:00", "start": "16:00"}})
    await bot.scheduler.step()
    assert await bot.book.pending() == 4  # two reminders, two pending news of the move
    assert text(await bot.run("unremind 1")).startswith("Cancelled your reminder")
    assert await bot.book.pending() == 2  # 111's reminder and its news are both gone
    await _reschedule(bot, tmp_path, {
        CEPH: {"date": "2030-06-01T16:00:00+02:00", "start": "16:00", "state": "canceled"}})
    bot.inbox.answer = "sent"
    bot.clock.moment += timedelta(minutes=1)
    await bot.scheduler.step()
    assert [(u, t.split(",")[0]) for u, t, _ in bot.inbox.sent] == [
        ("222", "Storage at Scale with Ceph (Sat 1 Jun 16:00 CEST (UTC+02:00) · Saal 1) has "
                "been cancelled")]
