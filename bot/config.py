"""Configuration: a YAML file plus environment variables, validated at start.

Every option can be set in the file or by an environment variable, which overrides the
file. pydantic-settings names and decodes the variables: a section's prefix plus the
option's name (``DISCORD_TOKEN``, ``MATRIX_PASSWORD_FILE``, ``SUMMIT_BOT_HEALTH_PORT``; lists
as JSON, ``SUMMIT_BOT_CORPUS`` as paths separated by ``:``). Secrets (tokens, passwords)
come only from the environment or from files (the ``*_file`` options and their
``*_FILE`` variables); ``SecretStr`` masks them in reprs and error messages.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.exceptions import SettingsError
from pydantic_settings.sources.utils import parse_env_vars

from bot.corpus.limits import DEFAULT_LIMITS, ReadLimits
from bot.paths import STATE_FILE, bundled_corpus, default_db_path
from bot.schedule.sources import ScheduleSource


class ConfigError(Exception):
    """The configuration is invalid; the message names the key and what is expected."""


class _Section(BaseSettings):
    """A part of the config. Built directly (``DiscordConfig(...)``), it reads only what it
    is given; :func:`load_config` lays the environment over the file."""

    model_config = SettingsConfigDict(extra="forbid", env_ignore_empty=True,
                                      populate_by_name=True)

    @classmethod
    def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def _read_secret_file(path: Path | None, what: str) -> SecretStr | None:
    if path is None:
        return None
    try:
        value = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ValueError(f"{what} file {path} cannot be read ({exc.strerror})") from exc
    if not value:
        raise ValueError(f"{what} file {path} is empty")
    return SecretStr(value)


class DiscordConfig(_Section):
    model_config = SettingsConfigDict(env_prefix="DISCORD_")

    token: SecretStr | None = Field(default=None, description="Prefer DISCORD_TOKEN")
    token_file: Path | None = None
    admin_role_ids: list[int] = []
    admin_user_ids: list[int] = []
    ask_cooldown_seconds: float = Field(default=5.0, ge=0, le=3600)
    sync_guild_ids: list[int] = []  # sync commands to these guilds (instant) instead of global
    answer_mentions: bool = True  # needs the message-content intent
    # Another REST base (e.g. a rate-limit proxy, or a test server) and gateway URL.
    api_base_url: str | None = None
    gateway_url: str | None = None

    @field_validator("api_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s):// URL such as https://discord.com/api/v10")
        return value

    @field_validator("gateway_url")
    @classmethod
    def _ws_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("wss://", "ws://")):
            raise ValueError("must be a ws(s):// URL such as wss://gateway.discord.gg/")
        return value

    @model_validator(mode="after")
    def _token_from_file(self) -> DiscordConfig:
        if self.token is None and self.token_file is not None:
            self.token = _read_secret_file(self.token_file, "discord.token_file")
        return self


class MatrixConfig(_Section):
    model_config = SettingsConfigDict(env_prefix="MATRIX_")

    homeserver: str | None = None
    user_id: str | None = None
    access_token: SecretStr | None = None
    access_token_file: Path | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    device_name: str = "summit-bot"
    # keeps the device, its access token, the sync token and the encryption store (default:
    # a "matrix" folder beside the state database)
    state_dir: Path | None = None
    encryption: bool = True  # read and answer encrypted rooms and direct chats
    pickle_key_file: Path | None = None  # the key the encryption store is kept under
    undecryptable_grace_seconds: float = Field(default=30.0, ge=0, le=3600)
    prefix: str = "!"
    admin_users: list[str] = []
    admin_power_level: int = 50
    allowed_inviters: list[str] = []  # user ids; empty: anyone on allowed_servers
    allowed_servers: list[str] = []  # empty: the bot's own server
    allowed_rooms: list[str] = []
    ask_cooldown_seconds: float = Field(default=0.0, ge=0, le=3600)

    @model_validator(mode="after")
    def _secrets_from_files(self) -> MatrixConfig:
        if self.access_token is None and self.access_token_file is not None:
            self.access_token = _read_secret_file(self.access_token_file,
                                                  "matrix.access_token_file")
        if self.password is None and self.password_file is not None:
            self.password = _read_secret_file(self.password_file, "matrix.password_file")
        return self

    @property
    def configured(self) -> bool:
        return bool(self.homeserver and self.user_id and (self.access_token or self.password))


class HealthConfig(_Section):
    """The optional HTTP listener for /healthz and /metrics: off and on loopback by default,
    because it tells anyone who can reach it how the bot is doing."""

    model_config = SettingsConfigDict(env_prefix="SUMMIT_BOT_HEALTH_")

    enabled: bool = False
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port (logged at start)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class LoggingConfig(_Section):
    """Standard logging to stderr; question text stays out of the logs unless asked for."""

    model_config = SettingsConfigDict(env_prefix="SUMMIT_BOT_LOG_")

    level: str = "INFO"
    # "json" in the file, SUMMIT_BOT_LOG_JSON in the environment
    json_lines: bool = Field(default=False, validation_alias=AliasChoices(
        "json", "summit_bot_log_json", "json_lines"), serialization_alias="json")
    log_question_text: bool = False

    @field_validator("level", mode="before")
    @classmethod
    def _known_level(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().upper() in LOG_LEVELS:
            return value.strip().upper()
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")


class FeedbackConfig(_Section):
    """The organizers' loop: questions and votes kept in the state database (``state_db``)
    for ``summit-bot report``. Off: nothing is stored, answers carry no vote buttons."""

    model_config = SettingsConfigDict(env_prefix="SUMMIT_BOT_FEEDBACK_")

    enabled: bool = True
    retention_days: int = Field(default=90, ge=1, le=3650)  # older rows are purged daily


class RemindersConfig(_Section):
    """Personal reminders (``remind``): kept in the state database, which is opened for
    them even with feedback turned off."""

    model_config = SettingsConfigDict(env_prefix="SUMMIT_BOT_REMINDERS_")

    enabled: bool = True


class LimitsConfig(_Section):
    """What reading the notes may cost (see bot/corpus/limits.py): a file over a limit is
    skipped and named; the indexer process a reload (or ``summit-bot index``) runs gets a
    memory ceiling and a time budget, past which the build fails and the old index keeps
    serving."""

    model_config = SettingsConfigDict(env_prefix="SUMMIT_BOT_LIMITS_")

    max_file_bytes: int = Field(default=DEFAULT_LIMITS.max_file_bytes, ge=1024)
    max_line_chars: int = Field(default=DEFAULT_LIMITS.max_line_chars, ge=100)
    max_sessions_per_file: int = Field(default=DEFAULT_LIMITS.max_sessions_per_file, ge=1)
    max_passages_per_file: int = Field(default=DEFAULT_LIMITS.max_passages_per_file, ge=1)
    max_list_depth: int = Field(default=DEFAULT_LIMITS.max_list_depth, ge=1, le=100)
    max_yaml_aliases: int = Field(default=DEFAULT_LIMITS.max_yaml_aliases, ge=0)
    max_yaml_depth: int = Field(default=DEFAULT_LIMITS.max_yaml_depth, ge=2, le=500)
    seconds_per_file: float = Field(default=DEFAULT_LIMITS.seconds_per_file, ge=0)
    max_schedule_bytes: int = Field(default=DEFAULT_LIMITS.max_schedule_bytes, ge=1024)
    max_schedule_events: int = Field(default=DEFAULT_LIMITS.max_schedule_events, ge=1)
    seconds_per_schedule: float = Field(default=DEFAULT_LIMITS.seconds_per_schedule, ge=0)
    indexer_memory_mb: int = Field(default=2048, ge=256)  # 0.5 GB more with semantic
    indexer_seconds: float = Field(default=900.0, ge=5)

    def read_limits(self) -> ReadLimits:
        return ReadLimits(**{f.name: getattr(self, f.name) for f in fields(ReadLimits)})


class ScheduleSourceConfig(BaseModel):
    """One schedule export: a file (``path``) or a URL (``url``), with the conference's IANA
    time zone and name for exports that carry none."""

    model_config = ConfigDict(extra="forbid")

    path: Path | None = None
    url: str | None = None
    timezone: str | None = None
    name: str | None = None

    @field_validator("url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s):// URL")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone name such as "
                             "Europe/Brussels") from None
        return value

    @model_validator(mode="after")
    def _one_place(self) -> ScheduleSourceConfig:
        if (self.path is None) == (self.url is None):
            raise ValueError("give either path or url")
        return self

    def source(self) -> ScheduleSource:
        return ScheduleSource(path=str(self.path) if self.path else None, url=self.url,
                              timezone=self.timezone, name=self.name)


class AnnounceConfig(BaseModel):
    """Posts to one Discord channel (its id) or Matrix room (``!room:server``): "starting
    soon" before talks, and what a refresh changed in the schedule."""

    model_config = ConfigDict(extra="forbid")

    target: str = Field(min_length=2)
    minutes_before: int = Field(default=5, ge=0, le=1440)
    starting_soon: bool = True
    changes: bool = True
    rooms: list[str] = []  # only talks in these rooms (default: all)
    tracks: list[str] = []  # only talks on these tracks (default: all)

    @field_validator("target")
    @classmethod
    def _platform_target(cls, value: str) -> str:
        value = value.strip()
        if not (value.isdigit() or (value.startswith("!") and ":" in value)):
            raise ValueError("must be a Discord channel id (digits) or a Matrix room id "
                             "(!room:server)")
        return value

    @property
    def platform(self) -> str:
        return "discord" if self.target.isdigit() else "matrix"


class ScheduleConfig(_Section):
    """The official schedule (pretalx, frab/Pentabarf, Sessionize, iCalendar), read beside
    the notes; URLs are fetched again every ``refresh_minutes`` and at each reload."""

    model_config = SettingsConfigDict(env_prefix="SUMMIT_BOT_SCHEDULE_")

    sources: list[ScheduleSourceConfig] = []
    refresh_minutes: float = Field(default=10.0, ge=0, le=1440)  # 0: only at reloads
    announce: list[AnnounceConfig] = []


class SemanticConfig(_Section):
    """Optional semantic re-ranking (needs the semantic extra): a model name we bundle
    (all-MiniLM-L6-v2) or the folder of a sentence-transformers model. Off when unset."""

    model_config = SettingsConfigDict(env_prefix="SUMMIT_BOT_SEMANTIC_")

    model: str | None = None


class Config(_Section):
    model_config = SettingsConfigDict(env_prefix="SUMMIT_BOT_")

    # SUMMIT_BOT_CORPUS is paths separated by ":", not JSON
    corpus: Annotated[list[Path], NoDecode] = Field(default_factory=lambda: [bundled_corpus()])
    db: Path = Field(default_factory=default_db_path)
    # Questions and votes (the organizers' loop); never touched by reloads or rebuilds.
    # Default: state.sqlite3 beside the index (so a Docker volume keeps both).
    state_db: Path | None = None
    discord: DiscordConfig = Field(default_factory=DiscordConfig)
    matrix: MatrixConfig = Field(default_factory=MatrixConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    semantic: SemanticConfig = Field(default_factory=SemanticConfig)
    feedback: FeedbackConfig = Field(default_factory=FeedbackConfig)
    reminders: RemindersConfig = Field(default_factory=RemindersConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)

    @field_validator("corpus", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        """``corpus: notes/`` means ``corpus: [notes/]``; from the environment, ``a:b`` is
        two paths."""
        if isinstance(value, str):
            return [p for p in value.split(os.pathsep) if p]
        return value


    @model_validator(mode="after")
    def _matrix_state_beside_the_state_db(self) -> Config:
        """The Matrix device and its encryption keys are kept for good: by default in a
        folder beside the state database (so a Docker volume keeps them too)."""
        if self.matrix.state_dir is None:
            self.matrix.state_dir = self.state_path.parent / "matrix"
        return self

    @property
    def state_path(self) -> Path:
        return self.state_db if self.state_db is not None else \
            self.db.with_name(STATE_FILE)


SECTIONS: dict[str, type[_Section]] = {
    "discord": DiscordConfig, "matrix": MatrixConfig, "health": HealthConfig,
    "logging": LoggingConfig, "semantic": SemanticConfig, "feedback": FeedbackConfig,
    "reminders": RemindersConfig, "limits": LimitsConfig, "schedule": ScheduleConfig,
}


class _Environment(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping, limited to the section's
    own prefix (so an unrelated ``JSON`` variable is never read as ``logging.json``)."""

    def __init__(self, section: type[BaseSettings], environ: Mapping[str, str]):
        self._environ = environ
        super().__init__(section)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        prefix = self.env_prefix.lower()
        mine = {k: v for k, v in self._environ.items() if k.lower().startswith(prefix)}
        return parse_env_vars(mine, self.case_sensitive, self.env_ignore_empty,
                              self.env_parse_none_str)


def _variable(section: type[_Section], name: str) -> str:
    return f"{section.model_config.get('env_prefix', '')}{name}".upper()


def environment_variables() -> dict[str, tuple[str, ...]]:
    """Every variable the config reads: name -> (section, option)."""
    names: dict[str, tuple[str, ...]] = {}
    for name in Config.model_fields:
        if name not in SECTIONS:
            names[_variable(Config, name)] = (name,)
    for key, section in SECTIONS.items():
        for name in section.model_fields:
            variable = "SUMMIT_BOT_LOG_JSON" if section is LoggingConfig and \
                name == "json_lines" else _variable(section, name)
            option = "json" if variable == "SUMMIT_BOT_LOG_JSON" else name
            names[variable] = (key, option)
    return names


ENV_OVERRIDES = environment_variables()


def _read_env(section: type[_Section], key: str | None,
              environ: Mapping[str, str]) -> dict[str, Any]:
    """The section's options set in ``environ``; a value that is not the JSON a list needs is
    a ConfigError naming the variable."""
    try:
        return _Environment(section, environ)()
    except SettingsError:
        for name in section.model_fields:
            variable = _variable(section, name)
            if variable in environ:
                try:
                    json.loads(environ[variable])
                except ValueError:
                    where = f"{key}.{name}" if key else name
                    raise ConfigError(f"${variable}: '{where}' must be written as JSON, for "
                                      "example [1, 2]") from None
        raise


def _apply_env(data: dict[str, Any], environ: Mapping[str, str]) -> dict[str, str]:
    """Overlay the environment on the file's data; returns dotted key -> variable name, so
    an error in a value that came from the environment names the variable."""
    used: dict[str, str] = {}
    from_env = {k: v for k, v in _read_env(Config, None, environ).items() if k not in SECTIONS}
    data.update(from_env)
    for key in from_env:
        used[key] = _variable(Config, key)
    for key, section in SECTIONS.items():
        values = _read_env(section, key, environ)
        if not values:
            continue
        target = data.get(key)
        if not isinstance(target, dict):
            target = {}
            data[key] = target
        target.update(values)
        for name in values:
            option = "json" if name == "json" else name
            variable = "SUMMIT_BOT_LOG_JSON" if (key, name) == ("logging", "json") \
                else _variable(section, name)
            used[f"{key}.{option}"] = variable
    if environ.get("SUMMIT_BOT_HEALTH_PORT"):  # a port to listen on means: listen
        health = data.setdefault("health", {})
        if isinstance(health, dict) and "enabled" not in _Environment(HealthConfig, environ)():
            health["enabled"] = True
            used["health.enabled"] = "SUMMIT_BOT_HEALTH_PORT"
    return used


# Options that name a file or folder: relative ones written in a config file are relative to
# that file (relative ones from the environment, to the working directory, like any path).
PATH_OPTIONS: tuple[tuple[str, ...], ...] = (
    ("db",), ("state_db",), ("discord", "token_file"), ("matrix", "access_token_file"),
    ("matrix", "password_file"), ("matrix", "state_dir"), ("matrix", "pickle_key_file"),
)


def _resolve_paths(data: dict[str, Any], base: Path) -> None:
    """Make the file's relative paths relative to its folder, before the environment is
    laid over it."""
    corpus = data.get("corpus")
    if isinstance(corpus, str | list):
        data["corpus"] = [str(base / Path(p).expanduser()) if isinstance(p, str) else p
                          for p in ([corpus] if isinstance(corpus, str) else corpus)]
    schedule = data.get("schedule")
    sources = schedule.get("sources") if isinstance(schedule, dict) else None
    for item in sources if isinstance(sources, list) else []:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            item["path"] = str(base / Path(item["path"]).expanduser())
    for keys in PATH_OPTIONS:
        target: Any = data
        for key in keys[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if isinstance(target, dict) and isinstance(target.get(keys[-1]), str):
            target[keys[-1]] = str(base / Path(target[keys[-1]]).expanduser())


def _describe(error: ValidationError, source: str) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "is not a known option (see deploy/config.example.yaml)"
        lines.append(f"{source}: '{key}' {message}")
    return "\n".join(lines)


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read, merge with the environment (``os.environ`` unless given), and validate.
    Raises ConfigError."""
    environ = dict(os.environ if environ is None else environ)
    data: dict[str, Any] = {}
    source = "environment"
    if path is not None:
        source = str(path)
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise ConfigError(f"{path}: is not valid YAML{where}") from exc
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: must be a mapping of options (see "
                              "deploy/config.example.yaml)")
        data = loaded
        _resolve_paths(data, Path(path).resolve().parent)
    from_env = _apply_env(data, environ)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        lines = _describe(exc, source).splitlines()
        for i, line in enumerate(lines):  # name the variable, not the file, for env values
            for key, name in from_env.items():
                if line.startswith((f"{source}: '{key}'", f"{source}: '{key}.")):
                    lines[i] = f"${name}" + line.removeprefix(source)
        raise ConfigError("\n".join(lines)) from None
    return config
