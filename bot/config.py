"""Configuration: a YAML file plus environment overrides, validated at start.

Secrets (tokens, passwords) come only from the environment or from files named in the
config; they are never printed: ``SecretStr`` masks them in reprs and error messages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.paths import bundled_corpus, default_db_path


class ConfigError(Exception):
    """The configuration is invalid; the message names the key and what is expected."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    homeserver: str | None = None
    user_id: str | None = None
    access_token: SecretStr | None = None
    access_token_file: Path | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    device_name: str = "summit-bot"
    state_dir: Path | None = None  # keeps device id and access token after a password login
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

    enabled: bool = False
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port (logged at start)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class LoggingConfig(_Section):
    """Standard logging to stderr; question text stays out of the logs unless asked for."""

    level: str = "INFO"
    json_lines: bool = Field(default=False, alias="json")
    log_question_text: bool = False

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("level", mode="before")
    @classmethod
    def _known_level(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().upper() in LOG_LEVELS:
            return value.strip().upper()
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")


class SemanticConfig(_Section):
    """Optional semantic re-ranking (needs the semantic extra): a model name we bundle
    (all-MiniLM-L6-v2) or the folder of a sentence-transformers model. Off when unset."""

    model: str | None = None


class Config(_Section):
    corpus: list[Path] = Field(default_factory=lambda: [bundled_corpus()])
    db: Path = Field(default_factory=default_db_path)
    discord: DiscordConfig = DiscordConfig()
    matrix: MatrixConfig = MatrixConfig()
    health: HealthConfig = HealthConfig()
    logging: LoggingConfig = LoggingConfig()
    semantic: SemanticConfig = SemanticConfig()

    @field_validator("corpus", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        """``corpus: notes/`` means the same as ``corpus: [notes/]``."""
        return [value] if isinstance(value, str) else value


# Environment variables that override the file: name -> (section, key).
ENV_OVERRIDES: dict[str, tuple[str, ...]] = {
    "SUMMIT_BOT_DB": ("db",),
    "SUMMIT_BOT_CORPUS": ("corpus",),
    "DISCORD_TOKEN": ("discord", "token"),
    "DISCORD_TOKEN_FILE": ("discord", "token_file"),
    "DISCORD_API_BASE_URL": ("discord", "api_base_url"),
    "DISCORD_GATEWAY_URL": ("discord", "gateway_url"),
    "MATRIX_HOMESERVER": ("matrix", "homeserver"),
    "MATRIX_USER_ID": ("matrix", "user_id"),
    "MATRIX_ACCESS_TOKEN": ("matrix", "access_token"),
    "MATRIX_ACCESS_TOKEN_FILE": ("matrix", "access_token_file"),
    "MATRIX_PASSWORD": ("matrix", "password"),
    "MATRIX_PASSWORD_FILE": ("matrix", "password_file"),
    "MATRIX_STATE_DIR": ("matrix", "state_dir"),
    "SUMMIT_BOT_HEALTH_PORT": ("health", "port"),
    "SUMMIT_BOT_HEALTH_HOST": ("health", "host"),
    "SUMMIT_BOT_LOG_LEVEL": ("logging", "level"),
    "SUMMIT_BOT_LOG_JSON": ("logging", "json"),
    "SUMMIT_BOT_SEMANTIC_MODEL": ("semantic", "model"),
}


def _apply_env(data: dict[str, Any], environ: dict[str, str]) -> dict[str, str]:
    """Overlay the environment on the file's data; returns dotted key -> variable name, so
    an error in a value that came from the environment names the variable."""
    used: dict[str, str] = {}
    for name, keys in ENV_OVERRIDES.items():
        value: Any = environ.get(name)
        if not value:
            continue
        used[".".join(keys)] = name
        if keys == ("corpus",):
            value = [p for p in value.split(os.pathsep) if p]
        target = data
        for key in keys[:-1]:
            section = target.get(key)
            if not isinstance(section, dict):
                section = {}
                target[key] = section
            target = section
        target[keys[-1]] = value
    if environ.get("SUMMIT_BOT_HEALTH_PORT"):
        health = data.get("health")
        if isinstance(health, dict):
            health["enabled"] = True
        used["health.enabled"] = "SUMMIT_BOT_HEALTH_PORT"
    return used


# Options that name a file or folder: relative ones written in a config file are relative to
# that file (relative ones from the environment, to the working directory, like any path).
PATH_OPTIONS: tuple[tuple[str, ...], ...] = (
    ("db",), ("discord", "token_file"), ("matrix", "access_token_file"),
    ("matrix", "password_file"), ("matrix", "state_dir"),
)


def _resolve_paths(data: dict[str, Any], base: Path) -> None:
    """Make the file's relative paths relative to its folder, before the environment is
    laid over it."""
    corpus = data.get("corpus")
    if isinstance(corpus, str | list):
        data["corpus"] = [str(base / Path(p).expanduser()) if isinstance(p, str) else p
                          for p in ([corpus] if isinstance(corpus, str) else corpus)]
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


def load_config(path: Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read, merge with the environment, and validate. Raises ConfigError."""
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
