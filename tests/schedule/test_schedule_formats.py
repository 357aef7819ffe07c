"""Schedule exports of every supported format, real and synthetic, read into one model."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import (
    Schedule,
    ScheduleError,
    ScheduleEvent,
    ScheduleLimits,
    read_schedule,
    sniff_schedule,
)
from bot.schedule.clean import clean_abstract
from bot.schedule.timeparse import BadValue, parse_duration
from tests.conftest import shared_path
from tests.schedule.fixtures import (
    BERLIN_VTIMEZONE,
    frab_event,
    frab_json,
    frab_xml,
    ics,
    session,
    sessionize_grid,
    vevent,
    xml_event,
)

BERLIN = ZoneInfo("Europe/Berlin")


def by_title(schedule: Schedule, title: str) -> ScheduleEvent:
    found = [e for e in schedule.events if e.title == title]
    assert len(found) == 1, f"{title!r}: {len(found)} events"
    return found[0]


def iso(event: ScheduleEvent) -> str:
    assert event.start is not None
    return event.start.isoformat()


# --- the real exports in ../shared/schedules ---------------------------------------------

def read_rc3() -> Schedule:
    path = shared_path("schedules", "rc3-2021-pretalx-json", "rc3_21.json")
    return read_schedule(path.read_bytes(), str(path))


def read_fosdem() -> Schedule:
    path = shared_path("schedules", "fosdem-2013-pentabarf-xml", "2013.xml")
    return read_schedule(path.read_bytes(), str(path), timezone="Europe/Brussels")


def read_droidcon(with_speakers: bool = True) -> Schedule:
    path = shared_path("schedules", "droidcon-london-2023-sessionize", "schedule.json")

    def companion(name: str) -> bytes | None:
        beside = path.parent / name
        return beside.read_bytes() if with_speakers and beside.is_file() else None

    return read_schedule(path.read_bytes(), str(path), timezone="Europe/London",
                         name="droidcon London 2023", companion=companion)


def test_rc3_pretalx_json_reads_every_event_at_its_own_offset() -> None:
    schedule = read_rc3()
    assert (schedule.format, schedule.conference, schedule.timezone) == (
        "frab-json", "rC3 NOWHERE", "Europe/Amsterdam")
    assert len(schedule.events) == 351
    assert schedule.days == [date(2021, 12, 27) + timedelta(days=n) for n in range(4)]
    assert schedule.warnings == []
    pegasus = by_title(schedule, "Catching NSO Group's Pegasus spyware")
    assert (iso(pegasus), pegasus.room) == ("2021-12-28T11:30:00+01:00", "c-base")
    assert pegasus.end is not None and pegasus.start is not None
    assert pegasus.end - pegasus.start == timedelta(minutes=30)
    assert pegasus.uid and pegasus.url and pegasus.url.startswith("https://pretalx.c3voc.de/")


def test_rc3_after_midnight_event_is_on_the_next_calendar_date() -> None:
    event = by_title(read_rc3(), "Elektrogruselkabinett Best Of *Länder")
    assert (iso(event), event.room) == ("2021-12-30T00:30:00+01:00", "ChaosZone TV")


def test_rc3_abstracts_lose_crlf_and_markdown_links_keep_bios() -> None:
    schedule = read_rc3()
    texts = [e.abstract + e.description for e in schedule.events]
    assert not any("\r" in t for t in texts)
    assert not any("](" in t for t in texts)
    assert sum(bool(e.bios) for e in schedule.events) > 150
    assert sum(e.track is None for e in schedule.events) == 192  # null in the export


def test_fosdem_2013_legacy_xml_in_the_configured_zone() -> None:
    schedule = read_fosdem()
    assert (schedule.format, schedule.conference, schedule.timezone) == (
        "frab-xml", "FOSDEM 2013", "Europe/Brussels")
    assert len(schedule.events) == 487
    assert schedule.days == [date(2013, 2, 2), date(2013, 2, 3)]
    systemd = by_title(schedule, "systemd, Two Years Later")
    assert (iso(systemd), systemd.room, systemd.speakers) == (
        "2013-02-03T12:00:00+01:00", "Janson", ["Lennart Poettering"])
    keeper = by_title(schedule, "The Keeper of Secrets")
    assert (iso(keeper), keeper.speakers) == ("2013-02-03T17:00:00+01:00",
                                              ["Leslie Hawthorn"])
    # day_change is 09:00 and no event starts before it: every event stays on its day
    assert {e.start.date() for e in schedule.events if e.start} == set(schedule.days)


def test_fosdem_escaped_html_abstracts_become_plain_paragraphs() -> None:
    schedule = read_fosdem()
    texts = [e.abstract + e.description for e in schedule.events]
    assert not any("<p>" in t or "&lt;" in t or "</" in t for t in texts)
    jenkins = by_title(schedule, "How we made the Jenkins community").abstract
    assert jenkins.startswith("The Jenkins project has an interesting history.")
    assert "\n\nThere are several key ingredients" in jenkins


def test_fosdem_cancelled_title_and_link_as_url() -> None:
    schedule = read_fosdem()
    cancelled = [e.title for e in schedule.events if e.cancelled]
    assert cancelled == ["CANCELLED - Community based translations of games"]
    welcome = by_title(schedule, "Welcome to FOSDEM 2013")
    assert welcome.url == ("http://video.fosdem.org/2013/maintracks/Janson/"
                           "Welcome_to_FOSDEM_2013.webm")
    assert (welcome.kind, welcome.track) == ("keynote", "Keynotes")


def test_fosdem_without_a_zone_is_refused_with_the_setting_to_add() -> None:
    path = shared_path("schedules", "fosdem-2013-pentabarf-xml", "2013.xml")
    with pytest.raises(ScheduleError, match=r"set `timezone:` for this source"):
        read_schedule(path.read_bytes(), str(path))


def test_droidcon_sessionize_grid_dedupes_and_reads_bst() -> None:
    schedule = read_droidcon()
    assert (schedule.format, schedule.conference, schedule.timezone) == (
        "sessionize", "droidcon London 2023", "Europe/London")
    assert len(schedule.events) == 106
    assert sum(e.service for e in schedule.events) == 18
    assert schedule.warnings == []  # the grid's expected doubling is silent
    dagger = by_title(schedule, "Demystifying Dagger")
    assert (iso(dagger), dagger.room) == ("2023-10-27T11:10:00+01:00", "Liskov")
    assert dagger.kind == "Session" and "Dagger" in dagger.tags
    swim = by_title(schedule, "Sink or swim: proving ideas in production, fast")
    assert swim.speakers == ["Ivan Morgillo", "Aurelio Laudiero", "Daniele Bonaldo"]
    assert swim.bios["Daniele Bonaldo"].startswith("Daniele is an Android developer")
    assert "\r" not in swim.bios["Daniele Bonaldo"]


def test_droidcon_without_speakers_json_has_no_bios() -> None:
    schedule = read_droidcon(with_speakers=False)
    assert len(schedule.events) == 106
    assert not any(e.bios for e in schedule.events)


# --- frab / pretalx JSON -----------------------------------------------------------------

def test_frab_json_without_date_runs_past_midnight_into_the_next_date() -> None:
    raw = frab_json([("2024-05-10", [frab_event("a", "Late show", "23:00"),
                                     frab_event("b", "Night owl", "01:30")])],
                    day_start="10:00")
    schedule = read_schedule(raw, "schedule.json")
    assert iso(by_title(schedule, "Late show")) == "2024-05-10T23:00:00+02:00"
    assert iso(by_title(schedule, "Night owl")) == "2024-05-11T01:30:00+02:00"
    assert by_title(schedule, "Night owl").end == datetime(2024, 5, 11, 2, 0, tzinfo=BERLIN)


def test_frab_json_iso_end_wins_and_other_ends_fall_back_to_duration() -> None:
    raw = frab_json([("2024-05-10", [
        frab_event("a", "Iso end", date="2024-05-10T10:00:00+02:00", duration="00:30",
                   end="2024-05-10T10:45:00+02:00"),
        frab_event("b", "Clock end", "11:00", duration="00:30", end="11:40"),
        frab_event("c", "Bad end only", "12:00", duration="", end="soon")])])
    schedule = read_schedule(raw, "schedule.json")
    assert [e.end for e in schedule.events] == [
        datetime(2024, 5, 10, 10, 45, tzinfo=BERLIN),
        datetime(2024, 5, 10, 11, 30, tzinfo=BERLIN), None]
    assert schedule.warnings == ["“Bad end only” (id c): its end 'soon' is not an ISO 8601 "
                                 "date and time; its end was left empty"]


def test_an_export_without_events_is_read_with_a_warning() -> None:
    schedule = read_schedule(frab_json([("2024-05-10", [])]), "schedule.json")
    assert (schedule.events, schedule.days) == ([], [date(2024, 5, 10)])
    assert schedule.warnings == ["it holds no events (yet): nothing of it can be answered"]


def test_frab_json_own_offset_wins_over_the_zone() -> None:
    raw = frab_json([("2024-05-10", [frab_event("a", "Remote", "10:00",
                                                date="2024-05-10T10:00:00-04:00")])])
    event = read_schedule(raw, "schedule.json", timezone="Europe/London").events[0]
    assert iso(event) == "2024-05-10T10:00:00-04:00"


def test_frab_json_person_names_titles_and_state() -> None:
    persons = [{"public_name": "  Ada   Lovelace ", "biography": "**Analyst**\r\nof engines"},
               {"name": "Bob"}]
    raw = frab_json([("2024-05-10", [
        frab_event("a", "  Spaced    title ", persons=persons, track={"name": "Core"}),
        frab_event("b", "Gone", "11:00", state="withdrawn"),
        frab_event("c", "ABGESAGT: Vortrag", "12:00"),
        frab_event("d", "Coffee", "13:00", type="Coffee Break"),
    ])])
    schedule = read_schedule(raw, "schedule.json")
    first = by_title(schedule, "Spaced title")
    assert first.speakers == ["Ada Lovelace", "Bob"]
    assert first.bios == {"Ada Lovelace": "Analyst\nof engines"}
    assert first.track == "Core"
    assert [e.cancelled for e in schedule.events] == [False, True, True, False]
    assert [e.service for e in schedule.events] == [False, False, False, True]


def test_frab_json_c3voc_variant_with_room_objects() -> None:
    conference = {"title": "Voc", "time_zone_name": "Europe/Berlin", "days": [
        {"index": 1, "date": "2024-05-10", "rooms": [
            {"name": "Saal 1", "events": [frab_event("a", "In a room object", room=None)]},
            frab_event("b", "Bare event", "11:00", room="Saal 2")]}]}
    raw = json.dumps({"schedule": {"conference": conference}}).encode()
    schedule = read_schedule(raw, "schedule.json")
    assert [(e.title, e.room) for e in schedule.events] == [
        ("In a room object", "Saal 1"), ("Bare event", "Saal 2")]


def test_duplicate_ids_keep_the_first_and_warn_once() -> None:
    raw = frab_json([("2024-05-10", [frab_event("same", "First"),
                                     frab_event("same", "Second", "11:00"),
                                     frab_event("same", "Third", "12:00"),
                                     frab_event("other", "First", "13:00")])])
    schedule = read_schedule(raw, "schedule.json")
    assert [(e.uid, e.title) for e in schedule.events] == [("same", "First"),
                                                           ("other", "First")]
    assert len(schedule.warnings) == 1
    assert schedule.warnings[0].startswith("2 events repeat the id of an earlier one")


def test_per_event_problems_are_warnings_and_the_rest_is_read() -> None:
    raw = frab_json([("2024-05-10", [
        "not an event",
        frab_event("a", "Number duration", duration=90),
        frab_event("b", "Absurd", duration="200:00"),
        frab_event("c", "Negative", duration="-00:30"),
        frab_event("d", "No start", start=None),
        frab_event("e", "Fine", "15:00"),
    ])])
    schedule = read_schedule(raw, "schedule.json")
    assert [e.title for e in schedule.events] == ["Number duration", "Absurd", "Negative",
                                                  "No start", "Fine"]
    assert by_title(schedule, "Absurd").end is None
    assert by_title(schedule, "Absurd").start == datetime(2024, 5, 10, 10, tzinfo=BERLIN)
    assert by_title(schedule, "No start").start is None
    assert by_title(schedule, "Fine").end == datetime(2024, 5, 10, 15, 30, tzinfo=BERLIN)
    text = "\n".join(schedule.warnings)
    assert "an event in room Room A is str, not an object" in text
    assert "its duration is a number (90)" in text
    assert "'200:00' is longer than 7 days" in text
    assert "'-00:30' is negative" in text
    assert "“No start” (id d): it has no start time" in text
    assert len(schedule.warnings) == 5


def test_event_warnings_are_capped_with_a_count() -> None:
    events = [frab_event(f"e{n}", f"Talk {n}", duration="99:99") for n in range(30)]
    schedule = read_schedule(frab_json([("2024-05-10", events)]), "schedule.json")
    assert len(schedule.events) == 30
    assert len(schedule.warnings) == 11
    assert schedule.warnings[-1].startswith("and 20 more problems with single events")


def test_events_far_outside_the_conference_dates_get_one_warning() -> None:
    raw = frab_json([("2024-05-10", [
        frab_event("a", "On time"),
        frab_event("b", "Wrong year", date="2023-05-10T10:00:00+02:00"),
        frab_event("c", "Also wrong", date="2024-06-10T10:00:00+02:00"),
        frab_event("d", "Next day is fine", date="2024-05-12T10:00:00+02:00")])])
    schedule = read_schedule(raw, "schedule.json")
    assert len(schedule.events) == 4
    assert len(schedule.warnings) == 1
    assert schedule.warnings[0].startswith("2 events start more than 2 days outside")


def test_unknown_zone_names_are_refused_by_name() -> None:
    raw = frab_json([("2024-05-10", [frab_event("a", "T")])], time_zone_name="Mars/Olympus")
    with pytest.raises(ScheduleError, match="'Mars/Olympus' is not a known IANA time zone"):
        read_schedule(raw, "schedule.json")
    good = frab_json([("2024-05-10", [frab_event("a", "T")])], time_zone_name=None)
    with pytest.raises(ScheduleError, match="'Europe/Londn' is not a known IANA"):
        read_schedule(good, "schedule.json", timezone="Europe/Londn")
    assert read_schedule(good, "s.json", timezone="Europe/London").timezone == "Europe/London"


def test_the_file_zone_wins_over_the_config_and_says_so() -> None:
    raw = frab_json([("2024-05-10", [frab_event("a", "T")])], time_zone_name="Europe/Berlin")
    schedule = read_schedule(raw, "s.json", timezone="Europe/London")
    assert (iso(schedule.events[0]), schedule.timezone) == ("2024-05-10T10:00:00+02:00",
                                                            "Europe/Berlin")
    assert schedule.warnings == ["its own time zone Europe/Berlin is used for times without "
                                 "a UTC offset, not the config's Europe/London"]


def test_conference_name_falls_back_to_config_then_file_name() -> None:
    raw = frab_json([("2024-05-10", [frab_event("a", "T")])], title="  ", acronym="")
    assert read_schedule(raw, "x/my-summit_2024.json").conference == "My summit 2024"
    assert read_schedule(raw, "x/s.json", name=" Summit  2024").conference == "Summit 2024"
    assert read_schedule(raw, "https://h/e/fahrplan.json?x=1").conference == "Fahrplan"
    titled = frab_json([("2024-05-10", [frab_event("a", "T")])], title=" Real Conf ")
    assert read_schedule(titled, "s.json", name="Other").conference == "Real Conf"
    acronym = frab_json([("2024-05-10", [frab_event("a", "T")])], title="", acronym="rc3")
    assert read_schedule(acronym, "s.json", name="Summit").conference == "Summit"
    assert read_schedule(acronym, "s.json").conference == "rc3"


# --- frab / Pentabarf XML ----------------------------------------------------------------

def test_c3voc_xml_date_is_authoritative_and_guid_is_the_id() -> None:
    event = xml_event("7", "With date", "11:00", date="2024-12-27T11:00:00+01:00",
                      guid="5f1c-guid", persons=("Grace  Hopper",),
                      extra="<url>https://example.org/7</url>")
    raw = frab_xml([("2024-12-27", [event])],
                   conference_extra="<time_zone_name>Europe/Berlin</time_zone_name>")
    schedule = read_schedule(raw, "schedule.xml")
    got = schedule.events[0]
    assert (got.uid, iso(got), got.end) == ("5f1c-guid", "2024-12-27T11:00:00+01:00",
                                            datetime(2024, 12, 27, 11, 30, tzinfo=BERLIN))
    assert (got.speakers, got.url, got.room, got.track) == (
        ["Grace Hopper"], "https://example.org/7", "Hall 1", "Main")
    assert schedule.timezone == "Europe/Berlin" and schedule.conference == "XML Conf"


def test_legacy_xml_day_change_moves_early_hours_to_the_next_date() -> None:
    events = [xml_event("1", "Evening", "22:00"), xml_event("2", "After midnight", "01:30")]
    raw = frab_xml([("2024-02-03", events)],
                   conference_extra="<day_change>04:00:00</day_change>")
    schedule = read_schedule(raw, "schedule.xml", timezone="Europe/Brussels")
    assert iso(by_title(schedule, "Evening")) == "2024-02-03T22:00:00+01:00"
    assert iso(by_title(schedule, "After midnight")) == "2024-02-04T01:30:00+01:00"
    assert by_title(schedule, "After midnight").uid == "2"


def test_truncated_xml_is_refused_with_its_position() -> None:
    raw = frab_xml([("2024-02-03", [xml_event("1", "A", "10:00")])])[:-40]
    assert sniff_schedule(raw, "schedule.xml") == "frab-xml"
    with pytest.raises(ScheduleError, match=r"it is not valid XML \(line \d+, column \d+\)"):
        read_schedule(raw, "schedule.xml", timezone="Europe/Brussels")


def test_xml_entity_bomb_and_external_entity_are_refused_quickly() -> None:
    lol = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)]
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE schedule [' + "".join(lol) + "]>\n"
            "<schedule><conference><title>&lol9;</title></conference></schedule>").encode()
    external = (b'<?xml version="1.0"?>\n<!DOCTYPE schedule [<!ENTITY x SYSTEM '
                b'"file:///etc/passwd">]>\n<schedule><conference><title>&x;</title>'
                b"</conference></schedule>")
    for raw in (bomb, external):
        started = time.perf_counter()
        with pytest.raises(ScheduleError, match=r"declares entities"):
            read_schedule(raw, "schedule.xml", timezone="Europe/Brussels")
        # refused before expanding: a bound far above the milliseconds it takes, so a busy
        # machine never fails it, while an expanded bomb would run for minutes
        assert time.perf_counter() - started < 5


# --- iCalendar ---------------------------------------------------------------------------

def test_ics_tzid_with_vtimezone_utc_and_duration() -> None:
    raw = ics(BERLIN_VTIMEZONE,
              vevent("a@x", "Zoned", "DTSTART;TZID=Europe/Berlin:20240601T100000",
                     "DTEND;TZID=Europe/Berlin:20240601T110000", "LOCATION:Hall 2",
                     "CATEGORIES:Security", "URL:https://example.org/a"),
              vevent("b@x", "In UTC", "DTSTART:20240601T080000Z", "DURATION:PT45M",
                     "DESCRIPTION:Line one\\nLine **two**"),
              header=("X-WR-CALNAME:ICS Conf",))
    schedule = read_schedule(raw, "talks.ics")
    assert (schedule.format, schedule.conference, schedule.timezone) == (
        "ical", "ICS Conf", "Europe/Berlin")
    zoned, utc = schedule.events
    assert (iso(zoned), zoned.end, zoned.room, zoned.track, zoned.url) == (
        "2024-06-01T10:00:00+02:00", datetime(2024, 6, 1, 11, tzinfo=BERLIN), "Hall 2",
        "Security", "https://example.org/a")
    assert utc.start == datetime(2024, 6, 1, 8, tzinfo=ZoneInfo("UTC"))
    assert utc.end is not None and utc.end - utc.start == timedelta(minutes=45)
    assert utc.abstract == "Line one\nLine two"
    assert schedule.days == [date(2024, 6, 1)]


def test_ics_floating_times_use_x_wr_timezone_else_config_else_refuse() -> None:
    event = vevent("f@x", "Floating", "DTSTART:20240601T100000", "DTEND:20240601T103000")
    with_zone = read_schedule(ics(event, header=("X-WR-TIMEZONE:Europe/Berlin",)), "f.ics")
    assert iso(with_zone.events[0]) == "2024-06-01T10:00:00+02:00"
    configured = read_schedule(ics(event), "f.ics", timezone="America/New_York")
    assert iso(configured.events[0]) == "2024-06-01T10:00:00-04:00"
    with pytest.raises(ScheduleError, match=r"set `timezone:` for this source"):
        read_schedule(ics(event), "f.ics")


def test_ics_cancelled_attendees_and_shared_organizer() -> None:
    raw = ics(vevent("c1", "Called off", "DTSTART:20240601T080000Z", "STATUS:CANCELLED",
                     "ORGANIZER;CN=Conf Team:mailto:team@x"),
              vevent("c0", "No organizer", "DTSTART:20240601T070000Z"),
              vevent("c2", "Panel", "DTSTART:20240601T090000Z",
                     "ORGANIZER;CN=Conf Team:mailto:team@x",
                     "ATTENDEE;CN=Alice Smith:mailto:a@x", "ATTENDEE;CN=Bo Li:mailto:b@x"))
    schedule = read_schedule(raw, "c.ics")
    assert [(e.cancelled, e.speakers) for e in schedule.events] == [
        (True, []), (False, []), (False, ["Alice Smith", "Bo Li"])]
    people = ics(vevent("p1", "Talk one", "DTSTART:20240601T080000Z",
                        "ORGANIZER;CN=Dana Ross:mailto:d@x"),
                 vevent("p2", "Talk two", "DTSTART:20240601T090000Z",
                        "ORGANIZER;CN=Eli Park:mailto:e@x"),
                 vevent("p3", "Break", "DTSTART:20240601T100000Z"))
    assert [e.speakers for e in read_schedule(people, "p.ics").events] == [
        ["Dana Ross"], ["Eli Park"], []]


def test_ics_rrule_expands_into_one_event_per_occurrence() -> None:
    raw = ics(vevent("daily@x", "Standup", "DTSTART;TZID=Europe/Berlin:20240601T090000",
                     "DURATION:PT15M", "RRULE:FREQ=DAILY;COUNT=3"), BERLIN_VTIMEZONE)
    schedule = read_schedule(raw, "r.ics")
    assert [e.uid for e in schedule.events] == [
        "daily@x#2024-06-01T09:00:00+02:00", "daily@x#2024-06-02T09:00:00+02:00",
        "daily@x#2024-06-03T09:00:00+02:00"]
    assert all(e.end - e.start == timedelta(minutes=15)  # type: ignore[operator]
               for e in schedule.events)


def test_ics_endless_rrule_stays_within_the_other_events_span() -> None:
    raw = ics(vevent("d1", "Day one", "DTSTART:20240601T080000Z", "DTEND:20240601T090000Z"),
              vevent("d3", "Day three", "DTSTART:20240603T160000Z",
                     "DTEND:20240603T170000Z"),
              vevent("lunch", "Lunch", "DTSTART:20240601T110000Z", "RRULE:FREQ=DAILY"))
    schedule = read_schedule(raw, "r.ics")
    assert [e.title for e in schedule.events] == ["Day one", "Day three", "Lunch", "Lunch",
                                                  "Lunch"]


def test_ics_all_day_event_is_kept_from_midnight() -> None:
    raw = ics(vevent("h", "Hackathon", "DTSTART;VALUE=DATE:20240602",
                     "DTEND;VALUE=DATE:20240603"), header=("X-WR-TIMEZONE:Europe/Berlin",))
    schedule = read_schedule(raw, "h.ics")
    event = schedule.events[0]
    assert (event.start, event.end) == (datetime(2024, 6, 2, tzinfo=BERLIN),
                                        datetime(2024, 6, 3, tzinfo=BERLIN))
    assert schedule.warnings == ["1 all-day event was kept from midnight to midnight in the "
                                 "conference's time zone"]


def test_ics_unknown_tzid_is_refused_and_a_windows_vtimezone_is_used() -> None:
    unknown = ics(vevent("u", "Where", "DTSTART;TZID=Mars/Olympus:20240601T100000"))
    with pytest.raises(ScheduleError, match="TZID 'Mars/Olympus' is neither an IANA"):
        read_schedule(unknown, "u.ics", timezone="Europe/Berlin")
    windows = BERLIN_VTIMEZONE.replace("Europe/Berlin", "W. Europe Standard Time")
    raw = ics(windows, vevent("w", "Outlook", "DTSTART;TZID=W. Europe Standard Time:"
                                              "20240115T100000"))
    schedule = read_schedule(raw, "w.ics")
    assert schedule.timezone is None  # no IANA name anywhere, and none was configured
    assert schedule.events[0].start == datetime(2024, 1, 15, 9, tzinfo=ZoneInfo("UTC"))


def test_truncated_ics_is_refused() -> None:
    raw = ics(vevent("a", "A", "DTSTART:20240601T080000Z"))[:-30]
    assert sniff_schedule(raw, "a.ics") == "ical"
    with pytest.raises(ScheduleError, match="iCalendar"):
        read_schedule(raw, "a.ics")


# --- Sessionize --------------------------------------------------------------------------

def test_sessionize_grid_needs_a_zone_unless_times_have_offsets() -> None:
    raw = sessionize_grid("2024-03-01", [
        session("1", "Local", "2024-03-01T09:00:00", "2024-03-01T09:40:00"),
        session("s-1", "Lunch", "2024-03-01T12:00:00", None, isServiceSession=True)])
    with pytest.raises(ScheduleError, match="set `timezone:`"):
        read_schedule(raw, "schedule.json")
    schedule = read_schedule(raw, "schedule.json", timezone="Europe/Berlin")
    assert [(iso(e), e.end, e.service) for e in schedule.events] == [
        ("2024-03-01T09:00:00+01:00", datetime(2024, 3, 1, 9, 40, tzinfo=BERLIN), False),
        ("2024-03-01T12:00:00+01:00", None, True)]
    offset = sessionize_grid("2024-03-01", [
        session("1", "Offset", "2024-03-01T09:00:00+05:30", "2024-03-01T09:40:00+05:30")])
    assert iso(read_schedule(offset, "schedule.json").events[0]) == "2024-03-01T09:00:00+05:30"


def test_sessionize_repeat_within_rooms_is_a_reported_duplicate() -> None:
    twice = session("9", "Twice", "2024-03-01T09:00:00", "2024-03-01T09:40:00")
    schedule = read_schedule(sessionize_grid("2024-03-01", [twice, twice]), "schedule.json",
                             timezone="Europe/Berlin")
    assert len(schedule.events) == 1
    assert schedule.warnings[0].startswith("1 event repeats the id of an earlier one")


def test_sessionize_sessions_view_and_a_broken_speakers_json() -> None:
    groups = [{"groupId": 1, "groupName": "Track A", "sessions": [
        session("5", "Grouped", "2024-03-01T09:00:00", "2024-03-01T09:30:00",
                speakers=[{"id": "sp", "name": "Mo Chen"}])]}]
    raw = json.dumps(groups).encode()
    assert sniff_schedule(raw, "sessions.json") == "sessionize"
    schedule = read_schedule(raw, "sessions.json", timezone="Europe/Berlin",
                             companion=lambda name: b'[{"id": "sp", "bio": ')
    assert [(e.title, e.speakers, e.bios) for e in schedule.events] == [
        ("Grouped", ["Mo Chen"], {})]
    assert schedule.warnings == ["its speakers.json is not valid JSON (line 1, column 22); "
                                 "speakers' bios were left out"]


def test_sessionize_all_view_joins_speakers_rooms_and_categories() -> None:
    data = {
        "sessions": [{"id": "77", "title": "Compose deep dive", "description": "Go **deep**",
                      "startsAt": "2024-03-01T10:00:00", "endsAt": "2024-03-01T10:45:00",
                      "isServiceSession": False, "speakers": ["sp-1", "sp-2"],
                      "categoryItems": [11, 21, 31], "roomId": 5, "status": "Cancelled"}],
        "speakers": [{"id": "sp-1", "fullName": "Ana Díaz", "bio": "Builds <b>UIs</b>"},
                     {"id": "sp-2", "firstName": "Ken", "lastName": "Ito", "bio": None}],
        "categories": [{"id": 1, "title": "Track", "items": [{"id": 11, "name": "Android"}]},
                       {"id": 2, "title": "Session format",
                        "items": [{"id": 21, "name": "Workshop"}]},
                       {"id": 3, "title": "Level", "items": [{"id": 31, "name": "Advanced"}]}],
        "rooms": [{"id": 5, "name": "Room 5"}]}
    raw = json.dumps(data).encode()
    assert sniff_schedule(raw, "all.json") == "sessionize"
    event = read_schedule(raw, "all.json", timezone="Europe/Berlin").events[0]
    assert (event.speakers, event.bios) == (["Ana Díaz", "Ken Ito"], {"Ana Díaz": "Builds UIs"})
    assert (event.room, event.track, event.kind, event.tags) == (
        "Room 5", "Android", "Workshop", ["Advanced"])
    assert (event.abstract, event.cancelled) == ("Go deep", True)


# --- sniffing and refusals ---------------------------------------------------------------

def test_sniffing_tells_schedules_from_other_files_by_content() -> None:
    assert sniff_schedule(frab_json([("2024-05-10", [])]), "notes.txt") == "frab-json"
    assert sniff_schedule(frab_xml([("2024-05-10", [])]), "x.json") == "frab-xml"
    assert sniff_schedule(ics(), "cal.txt") == "ical"
    grid = sessionize_grid("2024-03-01", [session("1", "A", "2024-03-01T09:00:00", None)])
    assert sniff_schedule(grid, "schedule.json") == "sessionize"
    notes = b"---\ntitle: Keynote\nspeakers: [Ada]\n---\n# Notes\nschedule: conference\n"
    speakers = json.dumps([{"id": "1", "fullName": "Ada", "bio": "x",
                            "sessions": [{"id": 5, "name": "Talk"}]}]).encode()
    other = json.dumps({"rooms": ["a"], "date": "2024-01-01", "items": [1, 2]}).encode()
    html = b"<!DOCTYPE html><html><body><schedule>no</schedule></body></html>"
    for raw in (notes, speakers, other, html, b"", b"[]", b"\x00\xff\xfe"):
        assert sniff_schedule(raw, "x.json") is None, raw[:30]
    with pytest.raises(ScheduleError, match="not a schedule export"):
        read_schedule(speakers, "speakers.json")


def test_real_speakers_json_alone_is_not_a_schedule() -> None:
    path = shared_path("schedules", "droidcon-london-2023-sessionize", "speakers.json")
    assert sniff_schedule(path.read_bytes(), path.name) is None


def test_truncated_json_still_sniffs_and_is_refused_with_its_position() -> None:
    events = [frab_event(f"e{n}", f"Talk {n}", abstract="x" * 500) for n in range(40)]
    raw = frab_json([("2024-05-10", events)])
    cut = raw[: len(raw) // 2]
    assert sniff_schedule(cut, "schedule.json") == "frab-json"
    with pytest.raises(ScheduleError, match=r"not valid JSON \(line 1, column \d+\); re-export"):
        read_schedule(cut, "schedule.json")


def test_deeply_nested_json_is_a_schedule_error() -> None:
    raw = b'{"schedule": {"conference": ' + b"[" * 200_000 + b"]" * 200_000 + b"}}"
    with pytest.raises(ScheduleError):
        read_schedule(raw, "schedule.json")


def test_limits_on_events_bytes_and_time() -> None:
    events = [frab_event(f"e{n}", f"Talk {n}") for n in range(50)]
    raw = frab_json([("2024-05-10", events)])
    with pytest.raises(ScheduleError, match=r"more than 49 events .*limits\.max_schedule_events"):
        read_schedule(raw, "s.json", limits=ScheduleLimits(max_events=49))
    assert len(read_schedule(raw, "s.json", limits=ScheduleLimits(max_events=50)).events) == 50
    with pytest.raises(ScheduleError, match=r"limits\.max_schedule_bytes"):
        read_schedule(raw, "s.json", limits=ScheduleLimits(max_schedule_bytes=len(raw) - 1))
    many = frab_json([("2024-05-10", [frab_event(f"e{n}", f"Talk {n}", abstract="y " * 200)
                                      for n in range(20_000)])])
    # The budget is a SIGALRM: even one that lands in a finalizer or a garbage-collection
    # callback, which swallow its exception, ends the read (bot.process.alarm_after).
    with pytest.raises(ScheduleError, match=r"limits\.seconds_per_schedule"):
        read_schedule(many, "s.json", limits=ScheduleLimits(seconds_per_file=0.05,
                                                             max_events=100_000))


def test_a_thousand_event_export_is_read_whole_and_a_huge_one_is_refused() -> None:
    """Their speed is measured by tests/benchmarks/bench_schedule.py, not here: a timed
    assertion fails on a busy machine and says nothing about the code."""
    abstract = ("A paragraph of **Markdown** with a [link](https://example.org) and "
                "some words. ") * 8
    events = [frab_event(f"e{n}", f"Talk {n}", f"{10 + n % 8}:00", abstract=abstract,
                         description=abstract,
                         persons=[{"public_name": f"Speaker {n}", "biography": abstract}])
              for n in range(1_000)]
    raw = frab_json([("2024-05-10", events)])
    assert 2_000_000 < len(raw) < 3_000_000
    assert len(read_schedule(raw, "big.json").events) == 1_000
    huge = frab_json([("2024-05-10", [frab_event(f"e{n}", "T") for n in range(100_000)])])
    with pytest.raises(ScheduleError, match="more than 20,000 events"):
        read_schedule(huge, "huge.json")


# --- the helpers -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "minutes"), [
    ("0:30", 30), ("01:30", 90), ("00:05:00", 5), ("01:00:30", 60.5), ("1:02:00", 26 * 60),
    ("PT1H30M", 90), ("P1DT1H", 25 * 60), ("  00:45 ", 45)])
def test_durations_in_every_written_form(text: str, minutes: float) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(("value", "reason"), [
    ("-00:30", "negative"), ("200:00", "longer than 7 days"), ("P8D", "longer than 7 days"),
    ("01:75", "past 59"), ("soon", "not a duration"), (90, r"a number \(90\)"),
    (None, "empty"), ("", "empty")])
def test_unusable_durations_say_why(value: object, reason: str) -> None:
    with pytest.raises(BadValue, match=reason):
        parse_duration(value)


def test_clean_abstract_handles_html_escaped_html_markdown_and_crlf() -> None:
    assert clean_abstract("&lt;p&gt;Hello&lt;/p&gt;&lt;p&gt;World &amp;amp; co&lt;/p&gt;") == \
        "Hello\n\nWorld & co"
    assert clean_abstract("<ul><li>one</li><li>two</li></ul>Tail<br>line") == \
        "- one\n- two\n\nTail\nline"
    markdown = ("## What\r\n\r\n\r\n\r\nA **bold** and __Strong one__ [link](https://x.org/a)"
                " ![logo](https://x.org/l.png) see <https://x.org>\r\n* star\r\n- dash\r\n"
                "---\r\nCall __init__ here")
    assert clean_abstract(markdown) == ("What\n\nA bold and Strong one link see "
                                        "https://x.org\n- star\n- dash\n\nCall __init__ here")
    assert clean_abstract(None) == "" and clean_abstract("   ") == ""


def test_clean_abstract_is_linear_on_hostile_markup() -> None:
    for hostile in ("**a " * 50_000, "[a](" * 50_000, "__a " * 50_000, "<li" * 50_000):
        started = time.perf_counter()
        clean_abstract(hostile)
        # linear: milliseconds; catastrophic backtracking would take minutes (the bound is
        # generous so that a busy machine never fails it)
        assert time.perf_counter() - started < 5, hostile[:8]


def test_schedule_file_sources_stay_read_only(tmp_path: Path) -> None:
    """The reader takes bytes: it never opens a path named inside an export."""
    target = tmp_path / "secret.txt"
    target.write_text("secret")
    raw = ics(vevent("p", "Path", "DTSTART:20240601T080000Z", f"DESCRIPTION:{target}"))
    assert read_schedule(raw, "p.ics").events[0].abstract == str(target)
