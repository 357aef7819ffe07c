"""Config validation: errors name the key and what is expected; secrets never printed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

from bot.cli import cli
from bot.config import ENV_OVERRIDES, Config, ConfigError, load_config
from tests.conftest import REPO

EXAMPLE = REPO / "deploy" / "config.example.yaml"
SECRET = "sk-THIS-IS-A-SECRET-1234567890"


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path | None, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ=environ or {})
    return str(raised.value)


def test_unknown_key_is_named(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "discord:\n  tokn: x\n"))
    assert "'discord.tokn' is not a known option" in message
    assert "config.example.yaml" in message


def test_wrong_types_are_named_with_what_is_expected(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "health:\n  port: abc\n  enabled: maybe\n"
                                       "logging:\n  level: LOUD\n"))
    lines = message.splitlines()
    assert len(lines) == 3
    assert any("'health.port'" in line and "valid integer" in line for line in lines)
    assert any("'health.enabled'" in line and "valid boolean" in line for line in lines)
    assert any("'logging.level'" in line and "DEBUG, INFO, WARNING" in line for line in lines)
    assert all(line.startswith(f"{tmp_path / 'config.yaml'}: ") for line in lines)


def test_out_of_range_is_named(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "health:\n  port: 70000\n"
                                       "discord:\n  ask_cooldown_seconds: -1\n"))
    assert "'health.port' Input should be less than or equal to 65535" in message
    assert "'discord.ask_cooldown_seconds' Input should be greater than or equal to 0" \
        in message


def test_unreadable_token_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "token"
    message = error_of(write(tmp_path, f"discord:\n  token_file: {missing}\n"))
    assert "discord.token_file" in message and str(missing) in message
    assert "cannot be read" in message
    empty = write(tmp_path, "\n", "empty-token")
    message = error_of(write(tmp_path, f"matrix:\n  access_token_file: {empty}\n"))
    assert "matrix.access_token_file" in message and "is empty" in message


def test_token_file_is_read_and_never_shown(tmp_path: Path) -> None:
    token = write(tmp_path, SECRET + "\n", "token")
    config = load_config(write(tmp_path, f"discord:\n  token_file: {token}\n"), environ={})
    assert config.discord.token is not None
    assert config.discord.token.get_secret_value() == SECRET
    assert SECRET not in repr(config) and SECRET not in str(config.model_dump())


def test_invalid_yaml_gives_the_line(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "health:\n  enabled: true\n  port: [\n"))
    assert "is not valid YAML at line" in message


def test_not_a_mapping(tmp_path: Path) -> None:
    assert "must be a mapping" in error_of(write(tmp_path, "- a\n- b\n"))


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "health:\n  host: 127.0.0.1\n")
    message = error_of(path, {"SUMMIT_BOT_HEALTH_PORT": "eighty"})
    assert message.startswith("$SUMMIT_BOT_HEALTH_PORT: 'health.port'")
    message = error_of(None, {"SUMMIT_BOT_LOG_LEVEL": "chatty"})
    assert message.startswith("$SUMMIT_BOT_LOG_LEVEL: 'logging.level' must be one of")


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "health:\n  port: 9000\nlogging:\n  level: debug\n")
    config = load_config(path, environ={"SUMMIT_BOT_HEALTH_PORT": "9100",
                                        "SUMMIT_BOT_HEALTH_HOST": "0.0.0.0",
                                        "SUMMIT_BOT_LOG_JSON": "1",
                                        "SUMMIT_BOT_CORPUS": "/a:/b"})
    assert config.health.enabled and config.health.port == 9100
    assert config.health.host == "0.0.0.0"
    assert config.logging.level == "DEBUG" and config.logging.json_lines
    assert config.corpus == [Path("/a"), Path("/b")]


def test_single_corpus_path_and_relative_paths(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "corpus: notes\ndb: state/index.sqlite3\n"),
                         environ={})
    assert config.corpus == [tmp_path / "notes"]
    assert config.db == tmp_path / "state" / "index.sqlite3"


# --- the example config --------------------------------------------------------------

def _leaves(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        key = field.serialization_alias or field.alias or name
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(_leaves(annotation, f"{prefix}{key}."))
        else:
            keys.append(f"{prefix}{key}")
    return keys


def test_example_config_validates_and_states_the_defaults() -> None:
    config = load_config(EXAMPLE, environ={})
    defaults = Config()
    skip = {"corpus", "db"}  # machine-dependent defaults, documented in comments
    assert config.model_dump(exclude=skip) == defaults.model_dump(exclude=skip)


def _documented(text: str) -> set[str]:
    """Dotted keys written in the file, active or commented out (``# key: value``)."""
    keys: set[str] = set()
    section = ""
    for line in text.splitlines():
        top = re.match(r"^(# )?(\w+):", line)
        if top:
            keys.add(top.group(2))
            if top.group(1) is None:
                section = top.group(2)
            continue
        nested = re.match(r"^  (# )?(\w+):", line)
        if nested and section:
            keys.add(f"{section}.{nested.group(2)}")
    return keys


def test_example_config_documents_every_option() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    missing = sorted(set(_leaves(Config)) - _documented(text))
    assert missing == [], f"options missing from {EXAMPLE.name}: {missing}"
    active: dict[str, Any] = yaml.safe_load(text)
    for section, name in (("discord", "token"), ("matrix", "access_token"),
                          ("matrix", "password")):  # secrets only ever commented out
        assert name not in (active.get(section) or {})


def test_documented_variables_are_the_ones_read() -> None:
    """Every variable the README's table or the example names is one the config reads, and
    every option has one (its section's prefix + its name)."""
    documented = set(re.findall(r"`((?:SUMMIT_BOT|DISCORD|MATRIX)_[A-Z_]+)`",
                                (REPO / "README.md").read_text(encoding="utf-8")))
    documented |= set(re.findall(r"\b((?:SUMMIT_BOT|DISCORD|MATRIX)_[A-Z_]+)\b",
                                 EXAMPLE.read_text(encoding="utf-8")))
    documented -= {"SUMMIT_BOT_CONFIG"}  # names the file itself (the CLI reads it)
    documented -= {"SUMMIT_BOT_NOW"}  # serve's rehearsal clock, read by bot/clock.py
    documented = {name for name in documented if not name.endswith("_")}  # prefixes
    assert sorted(documented - set(ENV_OVERRIDES)) == []
    assert len(ENV_OVERRIDES) == len(_leaves(Config))


def test_any_option_from_the_environment(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "discord:\n  admin_role_ids: [1]\n"),
                         environ={"DISCORD_ADMIN_ROLE_IDS": "[7, 8]",
                                  "MATRIX_ASK_COOLDOWN_SECONDS": "2.5",
                                  "SUMMIT_BOT_LOG_LOG_QUESTION_TEXT": "true", "JSON": "1"})
    assert config.discord.admin_role_ids == [7, 8]
    assert config.matrix.ask_cooldown_seconds == 2.5
    assert config.logging.log_question_text and not config.logging.json_lines
    message = error_of(None, {"DISCORD_ADMIN_USER_IDS": "[me]"})
    assert message.startswith("$DISCORD_ADMIN_USER_IDS: 'discord.admin_user_ids' must be")
    message = error_of(None, {"DISCORD_ADMIN_USER_IDS": '["me"]'})
    assert message.startswith("$DISCORD_ADMIN_USER_IDS: 'discord.admin_user_ids.0'")


# --- summit-bot check-config ---------------------------------------------------------

def _env(**extra: str) -> dict[str, str]:
    """Clear the bot's variables for CliRunner (None unsets), then set ``extra``."""
    env: dict[str, str | None] = dict.fromkeys(ENV_OVERRIDES, None)
    env["SUMMIT_BOT_CONFIG"] = None
    env.update(extra)
    return env  # type: ignore[return-value]


def test_check_config_valid_prints_no_secret(tmp_path: Path) -> None:
    token = write(tmp_path, SECRET, "token")
    path = write(tmp_path, f"discord:\n  token_file: {token}\ncorpus: [{REPO / 'corpus'}]\n")
    result = CliRunner().invoke(cli, ["check-config", str(path)],
                                env=_env(MATRIX_HOMESERVER="http://hs", MATRIX_USER_ID="@b:hs",
                                         MATRIX_PASSWORD=SECRET + "pw"))
    assert result.exit_code == 0, result.output
    assert "Configuration is valid" in result.output
    assert "platforms: discord, matrix" in result.output
    assert SECRET not in result.output


def test_check_config_invalid_names_the_key_and_prints_no_secret(tmp_path: Path) -> None:
    path = write(tmp_path, "discord:\n  tokn: x\n  admin_user_ids: [me]\n")
    result = CliRunner().invoke(cli, ["check-config", str(path)],
                                env=_env(DISCORD_TOKEN=SECRET, SUMMIT_BOT_HEALTH_PORT="x"))
    assert result.exit_code == 1
    assert "'discord.tokn' is not a known option" in result.output
    assert "'discord.admin_user_ids.0'" in result.output
    assert "$SUMMIT_BOT_HEALTH_PORT: 'health.port'" in result.output
    assert SECRET not in result.output


def test_check_config_reads_summit_bot_config(tmp_path: Path) -> None:
    path = write(tmp_path, "health:\n  enabled: true\n  port: 9999\n")
    result = CliRunner().invoke(cli, ["check-config"], env=_env(SUMMIT_BOT_CONFIG=str(path)))
    assert result.exit_code == 0, result.output
    assert "health:    http://127.0.0.1:9999" in result.output


def test_check_config_on_the_example() -> None:
    result = CliRunner().invoke(cli, ["check-config", str(EXAMPLE)], env=_env())
    assert result.exit_code == 0, result.output
    assert "platforms: none configured" in result.output


def test_only_paths_written_in_the_file_are_relative_to_it(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """The README's rule: a relative path in the file is relative to the file; one from the
    environment is relative to the working directory, like any path given to a program."""
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "token").write_text(SECRET)
    path = write(folder, "db: index.sqlite3\ncorpus: notes\ndiscord:\n  token_file: token\n"
                         "matrix:\n  state_dir: state\n")
    config = load_config(path, environ={})
    assert config.db == folder / "index.sqlite3" and config.corpus == [folder / "notes"]
    assert config.discord.token is not None  # read from etc/token, not ./token
    assert config.matrix.state_dir == folder / "state"
    monkeypatch.chdir(tmp_path)
    config = load_config(path, environ={"SUMMIT_BOT_DB": "data/index.sqlite3",
                                        "SUMMIT_BOT_CORPUS": "talks"})
    assert config.db == Path("data/index.sqlite3")
    assert config.corpus == [Path("talks")]


def test_every_secret_has_a_file_variable(tmp_path: Path) -> None:
    token = write(tmp_path, SECRET + "\n", "token")
    config = load_config(None, environ={"MATRIX_ACCESS_TOKEN_FILE": str(token),
                                        "MATRIX_PASSWORD_FILE": str(token),
                                        "DISCORD_TOKEN_FILE": str(token)})
    for secret in (config.matrix.access_token, config.matrix.password, config.discord.token):
        assert secret is not None and secret.get_secret_value() == SECRET
    assert SECRET not in repr(config)
