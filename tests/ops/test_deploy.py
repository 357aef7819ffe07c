"""What can be checked of deploy/ without a Docker engine or a booted systemd.

Docker images are not built here (no engine); compose.yaml is checked as YAML and, when a
compose CLI is installed, with its own ``config`` validation; the unit file with
``systemd-analyze`` when it is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import ENV_OVERRIDES
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
UNIT = DEPLOY / "summit-bot.service"


def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_runs_the_bot_and_synapse_with_an_env_file_and_a_volume() -> None:
    data = compose()
    services = data["services"]
    assert {"summit-bot", "synapse"} <= services.keys()
    bot = services["summit-bot"]
    assert bot["env_file"] == ["summit-bot.env"]
    assert any(str(v).split(":")[:2] == ["summit-bot-data", "/data"] for v in bot["volumes"])
    assert "summit-bot-data" in data["volumes"]
    assert bot["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).is_file()
    assert bot["depends_on"]["synapse"]["condition"] == "service_healthy"
    assert bot["environment"]["MATRIX_HOMESERVER"] == "http://synapse:8008"
    # No secret is written into the compose file itself.
    for name in ("DISCORD_TOKEN", "MATRIX_ACCESS_TOKEN", "MATRIX_PASSWORD"):
        assert name not in bot["environment"]
    # The bot's environment names only variables the bot knows.
    known = set(ENV_OVERRIDES) | {"SUMMIT_BOT_CONFIG"}
    assert set(bot["environment"]) <= known
    # Every published port is bound to loopback only.
    for service in services.values():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:")


def test_compose_mounts_files_that_the_instructions_create() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert "cp summit-bot.env.example summit-bot.env" in text
    assert "cp config.example.yaml config.yaml" in text
    assert (DEPLOY / "summit-bot.env.example").is_file()
    env_names = re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (DEPLOY / "summit-bot.env.example")
                           .read_text(encoding="utf-8"), flags=re.M)
    assert env_names and set(env_names) <= set(ENV_OVERRIDES)


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True,
                                 timeout=30).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_file_passes_the_compose_cli_validation(tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no docker compose / docker-compose here")
    target = tmp_path / "deploy"
    shutil.copytree(DEPLOY, target)
    shutil.copy(target / "summit-bot.env.example", target / "summit-bot.env")
    text = (target / "compose.yaml").read_text(encoding="utf-8")
    if cli[0].endswith("docker-compose"):  # v1 predates the top-level `name`
        text = re.sub(r"^name: .*$", "", text, flags=re.M)
    (target / "compose.yaml").write_text(text, encoding="utf-8")
    result = subprocess.run([*cli, "-f", str(target / "compose.yaml"), "config", "-q"],
                            capture_output=True, text=True, timeout=60, cwd=target)
    assert result.returncode == 0, result.stderr


def dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")


def test_dockerfile_is_multi_stage_slim_non_root_with_volume_and_healthcheck() -> None:
    text = dockerfile()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", text, flags=re.M)
    assert len(stages) == 2 and all("slim" in image for image, _ in stages)
    assert re.search(r"^COPY --from=build ", text, flags=re.M)
    user = re.findall(r"^USER (\S+)", text, flags=re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert re.search(r'^VOLUME \["/data"\]', text, flags=re.M)
    assert "SUMMIT_BOT_DB=/data/index.sqlite3" in text
    assert re.search(r"^HEALTHCHECK .*/healthz", text, flags=re.M)
    # The entry point is the CLI, as installed by pyproject.toml's scripts.
    assert 'ENTRYPOINT ["summit-bot"]' in text and 'CMD ["serve"]' in text


def test_dockerfile_copies_only_what_exists() -> None:
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile(), flags=re.M):
        for item in source.split():
            assert (REPO / item).exists(), f"COPY {item}: not in the repository"
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    for needed in ("pyproject.toml", "README.md", "bot/", "corpus/"):
        assert f"!{needed}" in ignore


def unit() -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_unit_is_hardened() -> None:
    values = unit()
    assert values["DynamicUser"] == ["yes"]
    assert values["StateDirectory"] == ["summit-bot"]
    assert values["ProtectSystem"] == ["strict"]
    assert values["NoNewPrivileges"] == ["yes"]
    assert values["Restart"] == ["on-failure"]
    assert values["EnvironmentFile"] == ["/etc/summit-bot/summit-bot.env"]
    assert values["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert values["Type"] == ["notify"]
    db = [v for v in values["Environment"] if v.startswith("SUMMIT_BOT_DB=")]
    assert db == ["SUMMIT_BOT_DB=/var/lib/summit-bot/index.sqlite3"]


def _local_unit(tmp_path: Path) -> Path:
    """The unit with its ExecStart pointing at this venv's summit-bot, which exists here
    (systemd-analyze checks that the commands are executable)."""
    here = str(Path(sys.executable).parent / "summit-bot")
    if not Path(here).exists():
        pytest.skip("no installed summit-bot command to point the unit at")
    path = tmp_path / UNIT.name
    path.write_text(UNIT.read_text(encoding="utf-8")
                    .replace("/opt/summit-bot/bin/summit-bot", here), encoding="utf-8")
    return path


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    path = _local_unit(tmp_path)
    result = subprocess.run([analyze, "verify", "--man=no", str(path)], capture_output=True,
                            text=True, timeout=60)
    # verify exits 0 even for unknown keys, so any warning about our file fails the test.
    ours = [line for line in (result.stdout + result.stderr).splitlines()
            if UNIT.name in line]
    assert result.returncode == 0 and ours == [], result.stderr


def test_systemd_security_exposure_is_low(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    path = _local_unit(tmp_path)
    result = subprocess.run([analyze, "security", "--offline=yes", "--no-pager", str(path)],
                            capture_output=True, text=True, timeout=60)
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    if found is None:
        pytest.skip(f"this systemd-analyze has no offline security check: {result.stderr}")
    assert float(found.group(1)) <= 2.0, result.stdout
