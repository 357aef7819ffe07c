"""schedule.sources in the config: paths relative to the file, zones checked, one place."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import ConfigError, load_config
from tests.schedule.sample import write_sample


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "conf" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_sources_are_relative_to_the_file_and_keep_zone_and_name(tmp_path: Path) -> None:
    path = _config(tmp_path, "schedule:\n  sources:\n    - path: progs/schedule.json\n"
                             "      timezone: Europe/London\n      name: Conf\n"
                             "    - url: https://example.org/s.json\n"
                             "  refresh_minutes: 5\n")
    config = load_config(path, environ={})
    first, second = (s.source() for s in config.schedule.sources)
    assert first.path == str(tmp_path / "conf" / "progs" / "schedule.json")
    assert (first.timezone, first.name) == ("Europe/London", "Conf")
    assert second.url == "https://example.org/s.json" and second.path is None
    assert config.schedule.refresh_minutes == 5


@pytest.mark.parametrize(("entry", "said"), [
    ("- path: a.json\n      timezone: Mars/Olympus", "is not an IANA time zone"),
    ("- path: a.json\n      url: https://x.org/a.json", "either path or url"),
    ("- url: ftp://x.org/a.json", "http(s)://"),
    ("- timezone: Europe/Berlin", "either path or url"),
])
def test_bad_sources_name_the_key(tmp_path: Path, entry: str, said: str) -> None:
    path = _config(tmp_path, f"schedule:\n  sources:\n    {entry}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert "schedule.sources.0" in str(caught.value) and said in str(caught.value)


def test_sources_from_the_environment_as_json(tmp_path: Path) -> None:
    config = load_config(None, environ={
        "SUMMIT_BOT_SCHEDULE_SOURCES": '[{"url": "https://example.org/s.ics"}]'})
    assert config.schedule.sources[0].url == "https://example.org/s.ics"


def test_index_with_a_config_and_no_paths_reads_its_schedule_sources(tmp_path: Path) -> None:
    write_sample(tmp_path / "conf" / "progs")
    path = _config(tmp_path, "schedule:\n  sources:\n    - path: progs/schedule.json\n")
    db = tmp_path / "i.sqlite3"
    result = CliRunner().invoke(cli, ["index", "--config", str(path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    # the schedule alone: no `corpus` in the file, so not the bundled notes too
    assert "9 sessions (9 from schedules)" in result.output
