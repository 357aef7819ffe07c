"""Personal reminders on Matrix, against a real Synapse: ``!remind`` in a room, the
confirmation and the reminder in the person's direct chat (opened by the bot, or the one
they have), ``!reminders`` / ``!unremind`` / ``!agenda``, and encryption end to end.

Reminders are wired as ``serve`` wires them, on the schedule service's own clock
(a :class:`FixedClock` the tests move by hand: nothing sleeps until a reminder is due), and
sent by ``scheduler.step()``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from icalendar import Calendar
from nio import AsyncClient, MatrixRoom, RoomEncryptedFile
from nio.crypto.attachments import decrypt_attachment

from bot.clock import FixedClock
from bot.commands import SummitService
from bot.commands.reminders import ReminderDesk
from bot.feedback.store import StateStore
from bot.platforms.matrix import state
from bot.platforms.matrix.client import MatrixPlatform
from bot.reminders.book import ReminderBook
from bot.reminders.delivery import DirectSender
from bot.reminders.scheduler import ReminderScheduler
from tests.matrix.conftest import PASSWORD, BotFactory, Person, joined_room, unique, wait_until
from tests.matrix.encrypted import EncryptedPerson, Received
from tests.matrix.synapse import Synapse

People = Callable[[str], Awaitable[Person]]
AskerFactory = Callable[[str], Awaitable[EncryptedPerson]]

KEYNOTE = "The Future of Summits"  # Sunday 09:00 CEST in Saal 1 (the clock reads Sat 13:10)
KEYNOTE_START = datetime.fromisoformat("2030-06-02T09:00:00+02:00")
LIGHTNING = "Late Night Lightning Talks"  # Sunday 01:30 CEST, Saal 2
LIGHTNING_START = datetime.fromisoformat("2030-06-02T01:30:00+02:00")
WAIT = 25.0
QUIET = 1.5  # seconds to watch for a message that must not come
_fresh = itertools.count()


@pytest.fixture
def service(scheduled_service: SummitService) -> SummitService:
    """Replaces the notes-only service ``start_bot`` runs with one over the sample
    schedule (tests/conftest.py)."""
    return scheduled_service


@dataclass
class Reminding:
    """Reminders wired to one running bot, as ``serve._reminders`` wires them."""

    clock: FixedClock
    store: StateStore
    book: ReminderBook
    scheduler: ReminderScheduler

    async def pending(self) -> int:
        count = await self.book.pending()
        assert count is not None
        return count


Wire = Callable[[MatrixPlatform], Reminding]


@pytest.fixture
def wire(service: SummitService, tmp_path: Path) -> Iterator[Wire]:
    stores: list[StateStore] = []

    def make(bot: MatrixPlatform) -> Reminding:
        clock = service.clock
        assert isinstance(clock, FixedClock)
        assert isinstance(bot, DirectSender)  # what serve picks its senders by
        if service.reminders is not None:  # a restarted bot: the last one's hook goes
            service.reload_hooks.remove(service.reminders.scheduler.programme_changed)
            service.reminders.book.store.close()
        store = StateStore(tmp_path / "state.sqlite3")
        stores.append(store)
        book = ReminderBook(store)
        scheduler = ReminderScheduler(book, clock, [bot], service.programme)
        service.reminders = ReminderDesk(book, scheduler, clock, service.programme,
                                         prefix=service.prefix)
        service.reload_hooks.append(scheduler.programme_changed)
        return Reminding(clock, store, book, scheduler)

    yield make
    for store in stores:
        store.close()


@pytest.fixture
async def asker(synapse: Synapse, tmp_path: Path) -> AsyncIterator[AskerFactory]:
    made: list[EncryptedPerson] = []

    async def make(name: str = "alice") -> EncryptedPerson:
        user_id = synapse.register(unique(name), PASSWORD)
        one = EncryptedPerson(synapse.url, user_id, PASSWORD,
                              tmp_path / "askers" / f"device{len(made)}")
        made.append(one)
        await one.start()
        return one

    yield make
    for one in reversed(made):
        await one.close()


# --- what a person's client sees ---------------------------------------------------------------
async def _raw(client: AsyncClient, method: str, path: str, body: Any = None) -> Any:
    async with aiohttp.ClientSession() as http, http.request(
            method, f"{client.homeserver}/_matrix/client/v3{path}", json=body,
            headers={"Authorization": f"Bearer {client.access_token}"}) as response:
        return await response.json()


async def invites(client: AsyncClient) -> dict[str, dict[str, Any]]:
    """The rooms the person is invited to, each with the content of their invite (a sync
    of its own, apart from any the client runs; its filter differs each time, or Synapse
    could answer from the cache of an identical request made within minutes)."""
    fresh = json.dumps({"presence": {"not_types": [f"x.{next(_fresh)}"]},
                        "room": {"timeline": {"limit": 1}}})
    data = await _raw(client, "GET", f"/sync?timeout=0&filter={quote(fresh)}")
    found: dict[str, dict[str, Any]] = {}
    for room_id, room in ((data.get("rooms") or {}).get("invite") or {}).items():
        for event in (room.get("invite_state") or {}).get("events", []):
            if event.get("type") == "m.room.member" and event.get("state_key") == client.user_id:
                found[room_id] = event.get("content") or {}
    return found


async def direct_invite(client: AsyncClient) -> str:
    """The one room the person is invited to, checked to be a direct chat's invite."""
    seen: dict[str, dict[str, Any]] = {}

    async def invited() -> bool:
        seen.update(await invites(client))
        return bool(seen)

    await wait_until(invited, WAIT)
    (room_id, content), = seen.items()
    assert content.get("membership") == "invite" and content.get("is_direct") is True, content
    return room_id


async def joined_rooms(client: AsyncClient) -> set[str]:
    return set((await _raw(client, "GET", "/joined_rooms")).get("joined_rooms", []))



async def ask(alice: Person, room_id: str, line: str, bot_id: str) -> str:
    asked = await alice.send(room_id, line)
    reply = await alice.reply_to(room_id, asked, bot_id, timeout=WAIT)
    assert reply["content"]["msgtype"] == "m.notice", reply
    return str(reply["content"]["body"])


async def bodies(alice: Person, room_id: str, bot_id: str) -> list[str]:
    return [e["content"].get("body", "") for e in await alice.replies_from(room_id, bot_id)]


async def stays(check: Callable[[], Awaitable[bool]], seconds: float = QUIET) -> None:
    """``check`` holds for ``seconds`` (nothing more arrives meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert await check()
        await asyncio.sleep(0.3)


async def file_reply(alice: Person, room_id: str, asked: str, bot_id: str
                     ) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    async def sent() -> bool:
        found[:] = [e["content"] for e in await alice.replies_from(room_id, bot_id)
                    if e["content"].get("msgtype") == "m.file"
                    and e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == asked]
        return bool(found)

    await wait_until(sent, WAIT)
    (content,) = found
    return content


async def download(client: AsyncClient, mxc: str) -> bytes:
    """A file from the media repository (the authenticated endpoint)."""
    assert mxc.startswith("mxc://"), mxc
    async with aiohttp.ClientSession() as http, http.get(
            f"{client.homeserver}/_matrix/client/v1/media/download/{mxc[len('mxc://'):]}",
            headers={"Authorization": f"Bearer {client.access_token}"}) as response:
        assert response.status == 200, await response.text()
        return await response.read()


def assert_agenda(ics: bytes, *titles: str) -> None:
    calendar = Calendar.from_ical(ics)
    summaries = sorted(str(e.get("summary")) for e in calendar.walk("VEVENT"))
    assert summaries == sorted(titles), summaries


def is_reminder(title: str) -> Callable[[Received], bool]:
    return lambda r: r.content.get("body", "").startswith(f"Reminder: {title}")


# --- the tests --------------------------------------------------------------------------------
async def test_remind_in_an_encrypted_room_opens_an_encrypted_direct_chat_and_reminds_once(
        start_bot: BotFactory, asker: AskerFactory, wire: Wire) -> None:
    bot = await start_bot(encryption=True)
    bot_id = bot.client.user_id
    reminding = wire(bot)
    alice = await asker("alice")
    room_id = await alice.create_encrypted_room(invite=[bot_id])
    await alice.wait_joined(room_id, bot_id)
    rooms_before = await joined_rooms(bot.client)

    asked = await alice.send_encrypted(room_id, f"!remind 15 {KEYNOTE.lower()}")
    reply = await alice.wait_reply(room_id, asked, bot_id)
    assert reply["msgtype"] == "m.notice"
    assert reply["body"].startswith(f"Set: I will remind you 15 min before {KEYNOTE} "
                                    "(Sun 2 Jun 09:00 CEST"), reply["body"]
    assert reply["body"].endswith("in our direct chat."), reply["body"]

    # one new room: a direct chat alice is invited to, encrypted from its creation
    dm = await direct_invite(alice.client)
    assert await joined_rooms(bot.client) == rooms_before | {dm}
    assert bot.client.rooms[dm].encrypted
    # the confirmation was sent while alice was only invited: her device got its key
    await alice.join(dm)
    confirmation = await alice.wait_message(dm, bot_id)
    assert confirmation.decrypted, "the confirmation was sent in the clear"
    assert confirmation.content["msgtype"] == "m.notice"
    assert confirmation.content["body"].startswith(
        f"I will remind you here 15 min before {KEYNOTE}"), confirmation.content["body"]
    assert confirmation.content.get("m.mentions") == {}
    assert await reminding.pending() == 1
    # the agenda's calendar file, in this encrypted room: uploaded encrypted
    files: list[RoomEncryptedFile] = []

    async def on_file(room: MatrixRoom, event: RoomEncryptedFile) -> None:
        if room.room_id == dm:
            files.append(event)

    alice.client.add_event_callback(on_file, RoomEncryptedFile)  # type: ignore[arg-type]
    asked = await alice.send_encrypted(room_id, "!agenda ics")
    # a person's agenda is theirs: the room hears where it went, the direct chat gets it
    assert (await alice.wait_reply(room_id, asked, bot_id))["body"] == \
        "I sent your agenda to our direct chat."
    agenda = await alice.wait_message(
        dm, bot_id, lambda r: r.content.get("body", "").startswith("Your agenda:"))
    assert agenda.decrypted
    await wait_until(lambda: _true(bool(files)), WAIT)
    (file,) = files
    assert file.decrypted and file.body == "summit-agenda.ics"
    ciphertext = await download(alice.client, file.url)
    assert b"VCALENDAR" not in ciphertext
    assert_agenda(decrypt_attachment(ciphertext, file.key["k"], file.hashes["sha256"],
                                     file.iv), KEYNOTE)

    # not yet due: nothing sent
    reminding.clock.moment = KEYNOTE_START - timedelta(minutes=16)
    assert await reminding.scheduler.step() == pytest.approx(60)
    # due: sent, once
    reminding.clock.moment = KEYNOTE_START - timedelta(minutes=15)
    await reminding.scheduler.step()
    reminder = await alice.wait_message(dm, bot_id, is_reminder(KEYNOTE))
    assert reminder.decrypted and reminder.content["msgtype"] == "m.notice"
    head, where, link = reminder.content["body"].split("\n")
    assert head == f"Reminder: {KEYNOTE} starts in 15 min."
    assert where == "Sun 2 Jun 09:00 CEST (UTC+02:00) · Saal 1"
    assert link.startswith("https://pretalx.example.org/")
    assert await reminding.pending() == 0
    await reminding.scheduler.step()  # nothing left to send

    async def four_from_the_bot() -> bool:  # confirmation, agenda, its file, reminder
        events = await alice.raw_events_from(dm, bot_id)
        return len(events) == 4 and all(e["type"] == "m.room.encrypted" for e in events)

    await stays(four_from_the_bot)
    assert [r.event_id for r in alice.received[dm] if r.sender == bot_id
            and r.content.get("msgtype") == "m.notice"
            and not r.content["body"].startswith("Your agenda:")] == \
        [confirmation.event_id, reminder.event_id]
    # the chat is remembered for the next start
    cfg = bot.config
    assert cfg.homeserver and cfg.state_dir
    assert state.load_direct_people(cfg.state_dir, cfg.homeserver, bot_id) == \
        {dm: alice.user_id}


async def test_reminders_lists_agenda_shows_and_unremind_cancels(
        start_bot: BotFactory, person: People, wire: Wire) -> None:
    bot = await start_bot(encryption=False)  # alice's client reads no encrypted message
    bot_id = bot.client.user_id
    reminding = wire(bot)
    alice = await person("alice")
    room_id = await joined_room(alice, bot)

    assert (await ask(alice, room_id, "!remind 15 future of summits", bot_id)).startswith(
        f"Set: I will remind you 15 min before {KEYNOTE}")
    assert (await ask(alice, room_id, "!remind late night lightning", bot_id)).startswith(
        f"Set: I will remind you 10 min before {LIGHTNING}")
    dm = await direct_invite(alice.client)  # opened by the first confirmation
    await alice.api("POST", f"/rooms/{dm}/join", {})
    # asked in the group room: the list goes to the direct chat, the room hears only that
    assert await ask(alice, room_id, "!reminders", bot_id) == \
        "I sent your reminders to our direct chat."
    listed = await direct_message(alice, dm, bot_id, "Your reminders")
    assert listed["body"].split("\n") == [
        "Your reminders (2), soonest first:",
        f"1. {LIGHTNING} — Sun 2 Jun 01:30 CEST (UTC+02:00) · Saal 2 (10 min before)",
        f"2. {KEYNOTE} — Sun 2 Jun 09:00 CEST (UTC+02:00) · Saal 1 (15 min before)",
        "Cancel one with !unremind N."]
    # asked in the direct chat: answered there
    agenda = await ask(alice, dm, "!agenda", bot_id)
    assert agenda.split("\n") == ["Your agenda:", "Sunday 2 June",
                                  f"- 01:30 {LIGHTNING} · Saal 2", f"- 09:00 {KEYNOTE} · Saal 1"]
    # with ics, in the group room: the same text, then the calendar file, both in private
    asked = await alice.send(room_id, "!agenda ics")
    text = await alice.reply_to(room_id, asked, bot_id, timeout=WAIT)
    assert text["content"]["body"] == "I sent your agenda to our direct chat."
    sent = await direct_message(alice, dm, bot_id, "Your agenda:",
                                "(The calendar file is attached as summit-agenda.ics.)")
    assert sent["msgtype"] == "m.notice"
    file = await direct_message(alice, dm, bot_id, "summit-agenda.ics")
    assert file["msgtype"] == "m.file"
    assert file["info"] == {"mimetype": "text/calendar", "size": file["info"]["size"]}
    assert "file" not in file  # a plain room: a plain upload
    ics = await download(alice.client, file["url"])
    assert len(ics) == file["info"]["size"]
    assert_agenda(ics, KEYNOTE, LIGHTNING)
    assert not any(b.startswith(("Your reminders", "Your agenda"))
                   for b in await bodies(alice, room_id, bot_id))  # never in the room

    cancelled = await ask(alice, room_id, "!unremind 1", bot_id)
    assert cancelled.startswith(f"Cancelled your reminder of {LIGHTNING}"), cancelled
    assert await reminding.pending() == 1
    assert "Give the number of a reminder from 1 to 1" in \
        await ask(alice, room_id, "!unremind 7", bot_id)
    assert (await ask(alice, room_id, "!unremind 1", bot_id)).startswith(
        f"Cancelled your reminder of {KEYNOTE}")
    assert await reminding.pending() == 0
    assert (await ask(alice, room_id, "!reminders", bot_id)).startswith(
        "You have no reminders")
    # nothing is sent when the talks come
    reminding.clock.moment = KEYNOTE_START
    await reminding.scheduler.step()
    # the two confirmations, the list, the agenda twice and its file: no reminder
    await stays(lambda: _count(alice, dm, bot_id, 6))


async def direct_message(alice: Person, dm: str, bot_id: str, start: str, end: str = ""
                         ) -> dict[str, Any]:
    """The bot's message in the direct chat whose body starts (and ends) so."""
    found: list[dict[str, Any]] = []

    async def sent() -> bool:
        found[:] = [e["content"] for e in await alice.replies_from(dm, bot_id)
                    if e["content"].get("body", "").startswith(start)
                    and e["content"].get("body", "").endswith(end)]
        return bool(found)

    await wait_until(sent, WAIT)
    return found[-1]


async def _true(value: bool) -> bool:
    return value


async def _count(alice: Person, room_id: str, bot_id: str, expected: int) -> bool:
    return len(await bodies(alice, room_id, bot_id)) == expected


async def test_a_person_with_a_direct_chat_is_reminded_there(
        start_bot: BotFactory, person: People, wire: Wire) -> None:
    bot = await start_bot()
    bot_id = bot.client.user_id
    reminding = wire(bot)
    alice = await person("alice")
    dm = await alice.create_room(invite=[bot_id], direct=True)  # plain, though the bot encrypts

    async def bot_joined() -> bool:
        return bot_id in await alice.members(dm)

    await wait_until(bot_joined, WAIT)
    room_id = await joined_room(alice, bot)
    rooms_before = await joined_rooms(bot.client)

    reply = await ask(alice, room_id, "!remind 5 lightning talks", bot_id)
    assert reply.startswith(f"Set: I will remind you 5 min before {LIGHTNING}"), reply

    async def confirmed() -> bool:
        return any(b.startswith(f"I will remind you here 5 min before {LIGHTNING}")
                   for b in await bodies(alice, dm, bot_id))

    await wait_until(confirmed, WAIT)
    reminding.clock.moment = LIGHTNING_START - timedelta(minutes=4)
    await reminding.scheduler.step()

    async def reminded() -> bool:
        return any(b.startswith(f"Reminder: {LIGHTNING} starts in 4 min.")
                   for b in await bodies(alice, dm, bot_id))

    await wait_until(reminded, WAIT)
    await reminding.scheduler.step()
    await stays(lambda: _count(alice, dm, bot_id, 2))
    # no new room, no invite: the chat alice opened is the one
    assert await joined_rooms(bot.client) == rooms_before
    assert not await invites(alice.client)
    (content,) = [e["content"] for e in await alice.replies_from(dm, bot_id)
                  if e["content"]["body"].startswith("Reminder:")]
    assert content["msgtype"] == "m.notice" and content["m.mentions"] == {}
    assert "m.relates_to" not in content


async def test_an_ambiguous_or_unknown_title_gets_one_sentence_and_no_direct_chat(
        start_bot: BotFactory, person: People, wire: Wire) -> None:
    bot = await start_bot(encryption=False)
    bot_id = bot.client.user_id
    reminding = wire(bot)
    alice = await person("alice")
    room_id = await joined_room(alice, bot)
    rooms_before = await joined_rooms(bot.client)

    several = await ask(alice, room_id, "!remind soldering", bot_id)
    assert several.startswith("Several talks match “soldering”: Soldering Workshop · "), \
        several
    assert several.endswith("which one? Give more of its title.") and "\n" not in several
    unknown = await ask(alice, room_id, "!remind 10 underwater basket weaving", bot_id)
    assert unknown == ("No talk in the schedule matches “underwater basket weaving”; "
                       "!schedule lists them.")
    minutes = await ask(alice, room_id, "!remind 9999 future of summits", bot_id)
    assert minutes.startswith("Give the minutes as a whole number from 0 to 1440")
    assert await reminding.pending() == 0
    assert await joined_rooms(bot.client) == rooms_before
    assert not await invites(alice.client)


async def test_after_a_restart_the_reminder_goes_to_the_same_encrypted_chat(
        start_bot: BotFactory, asker: AskerFactory, wire: Wire) -> None:
    """A resumed sync does not bring quiet rooms to nio: the bot reads the chat's state
    itself, or it could not encrypt there (and would open another)."""
    first = await start_bot(encryption=True)
    bot_id = first.client.user_id
    wire(first)
    alice = await asker("alice")
    room_id = await alice.create_encrypted_room(invite=[bot_id])
    await alice.wait_joined(room_id, bot_id)
    asked = await alice.send_encrypted(room_id, "!remind 20 future of summits")
    assert (await alice.wait_reply(room_id, asked, bot_id))["body"].startswith("Set:")
    dm = await direct_invite(alice.client)
    await alice.join(dm)
    await alice.wait_message(dm, bot_id)  # the confirmation
    await first.close()

    bot = await start_bot(encryption=True)  # the same state folder: resumes its sync
    reminding = wire(bot)
    assert dm not in bot.client.rooms, "the resumed sync brought the chat: test nothing"
    rooms_before = await joined_rooms(bot.client)
    reminding.clock.moment = KEYNOTE_START - timedelta(minutes=20)
    await reminding.scheduler.step()
    reminder = await alice.wait_message(dm, bot_id, is_reminder(KEYNOTE))
    assert reminder.decrypted
    assert reminder.content["body"].startswith(f"Reminder: {KEYNOTE} starts in 20 min.")
    assert await reminding.pending() == 0
    assert await joined_rooms(bot.client) == rooms_before
    assert not await invites(alice.client)


async def test_send_direct_keeps_one_message_per_ref_and_refuses_unknown_people(
        start_bot: BotFactory, person: People, wire: Wire, service: SummitService) -> None:
    bot = await start_bot(encryption=False)
    bot_id = bot.client.user_id
    alice = await person("alice")
    for _ in range(2):  # sent again (a crash before the row was deleted): kept once
        assert await bot.send_direct(alice.user_id, "once <b>only</b> @room", "rsame1") == "sent"
    dm = await direct_invite(alice.client)
    await alice.api("POST", f"/rooms/{dm}/join", {})
    (content,) = [e["content"] for e in await alice.replies_from(dm, bot_id)]
    assert content["msgtype"] == "m.notice"
    assert content["formatted_body"] == "once &lt;b&gt;only&lt;/b&gt; @\u2060room"
    assert content["m.mentions"] == {}
    rooms = await joined_rooms(bot.client)

    assert await bot.send_direct("@nobody-here:summit.test", "hello", "rnobody") == "refused"
    assert await bot.send_direct("not a user id", "hello", "rbad") == "refused"
    assert await joined_rooms(bot.client) == rooms  # no room opened for them

    idle = MatrixPlatform(service, bot.config)  # never connected
    try:
        assert await idle.send_direct(alice.user_id, "hello", "ridle") == "failed"
    finally:
        await idle.client.close()


async def test_a_declined_direct_chat_is_left_and_not_offered_again_until_they_open_one(
        start_bot: BotFactory, person: People) -> None:
    bot = await start_bot(encryption=False)
    bot_id = bot.client.user_id
    alice = await person("alice")
    assert await bot.send_direct(alice.user_id, "first", "rdecl1") == "sent"
    first = await direct_invite(alice.client)
    await alice.api("POST", f"/rooms/{first}/leave", {})  # turned down

    # no invitation after invitation: refused (a reminder is dropped, /remind says so)
    assert await bot.send_direct(alice.user_id, "second", "rdecl2") == "refused"

    async def left() -> bool:
        return first not in await joined_rooms(bot.client)

    await wait_until(left, WAIT)
    assert await invites(alice.client) == {}
    # she opens a direct chat herself: the next message goes there
    mine = await alice.create_room(invite=[bot_id], direct=True)

    async def joined() -> bool:
        return bot_id in await alice.members(mine)

    await wait_until(joined, WAIT)
    assert await bot.send_direct(alice.user_id, "third", "rdecl3") == "sent"
    assert await bodies(alice, mine, bot_id) == ["third"]


async def test_with_the_homeserver_down_a_direct_message_fails_and_goes_later(
        start_bot: BotFactory, person: People, synapse: Synapse) -> None:
    bot = await start_bot(encryption=False)
    bot_id = bot.client.user_id
    alice = await person("alice")
    assert await bot.send_direct(alice.user_id, "first", "rdown1") == "sent"
    dm = await direct_invite(alice.client)
    synapse.stop()
    try:
        began = time.monotonic()
        assert await bot.send_direct(alice.user_id, "second", "rdown2") == "failed"
        assert time.monotonic() - began < 10

        async def disconnected() -> bool:
            return not bot.connected

        await wait_until(disconnected, WAIT)
        assert await bot.send_direct(alice.user_id, "second", "rdown2") == "failed"
    finally:
        synapse.start()  # same database: the same users, rooms and tokens

    async def connected() -> bool:
        return bot.connected

    await wait_until(connected, 40)
    assert await bot.send_direct(alice.user_id, "second", "rdown2") == "sent"
    assert await joined_rooms(bot.client) >= {dm}
    await alice.api("POST", f"/rooms/{dm}/join", {})
    assert await bodies(alice, dm, bot_id) == ["first", "second"]


def test_the_direct_chat_file_keeps_whom_each_chat_is_with_and_reads_older_files(
        tmp_path: Path) -> None:
    server, bot_id = "https://matrix.example.org", "@bot:example.org"
    older = {"homeserver": server, "user_id": bot_id, "rooms": ["!a:x", "!b:x"]}
    (tmp_path / state.DIRECT_FILENAME).write_text(json.dumps(older))
    assert state.load_direct_rooms(tmp_path, server, bot_id) == {"!a:x", "!b:x"}
    assert state.load_direct_people(tmp_path, server, bot_id) == {}

    assert state.save_direct_rooms(tmp_path, server, bot_id, {"!a:x", "!c:x"},
                                   {"!a:x": "@ann:x", "!gone:x": "@gus:x"})
    assert state.load_direct_rooms(tmp_path, server, bot_id) == {"!a:x", "!c:x"}
    assert state.load_direct_people(tmp_path, server, bot_id) == {"!a:x": "@ann:x"}
    assert state.load_direct_people(tmp_path, server, "@other:example.org") == {}
    assert (tmp_path / state.DIRECT_FILENAME).stat().st_mode & 0o077 == 0
