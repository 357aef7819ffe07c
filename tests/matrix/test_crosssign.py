"""Cross-signing of the bot's device: canonical JSON against the spec's examples, and the
whole upload against a real Synapse (checked as another user would see it, with the
signatures verified here over independently written canonical JSON), plus homeservers
that fail in the ways a bot meets (no endpoint, not JSON, hanging, unreachable)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import stat
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from nio import AsyncClient, AsyncClientConfig, KeysUploadResponse, LoginResponse

from bot.platforms.matrix import crosssign
from bot.platforms.matrix.crosssign import (
    FILENAME,
    CrossSigningKeys,
    canonical_json,
    cross_sign_device,
    unpadded_b64decode,
    unpadded_b64encode,
)
from tests.matrix.conftest import PASSWORD, BotFactory, Person, unique
from tests.matrix.synapse import Synapse, free_port

CALL_TIMEOUT = 30.0  # every call to the module is bounded here too


# --- helpers written apart from the module, so they can disagree with it ------------------
def _b64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def verifies(obj: dict[str, Any], signer: str, public_b64: str) -> bool:
    """The spec's check, step by step: the signature by ``ed25519:<public>`` over the
    object without ``signatures``/``unsigned``, in canonical JSON."""
    signature = obj.get("signatures", {}).get(signer, {}).get(f"ed25519:{public_b64}")
    if signature is None:
        return False
    bare = {key: value for key, value in obj.items() if key not in ("signatures", "unsigned")}
    data = json.dumps(bare, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")
    try:
        Ed25519PublicKey.from_public_bytes(_b64(public_b64)).verify(_b64(signature), data)
    except InvalidSignature:
        return False
    return True


def file_publics(state_dir: Path) -> tuple[str, str]:
    """The master and self-signing public keys of the keys file, derived here."""
    data = json.loads((state_dir / FILENAME).read_text())
    publics = []
    for name in ("master", "self_signing"):
        private = Ed25519PrivateKey.from_private_bytes(_b64(data[name]))
        raw = private.public_key().public_bytes_raw()
        publics.append(base64.b64encode(raw).decode().rstrip("="))
    return publics[0], publics[1]


def only_key(cross_signing_key: dict[str, Any]) -> str:
    (public,) = cross_signing_key["keys"].values()
    return str(public)


async def bounded(call: Awaitable[str | None]) -> str | None:
    return await asyncio.wait_for(call, CALL_TIMEOUT)


# --- canonical JSON and base64 (no homeserver needed) --------------------------------------
@pytest.mark.parametrize(("given", "canonical"), [
    ("{}", "{}"),
    ('{"one": 1, "two": "Two"}', '{"one":1,"two":"Two"}'),
    ('{\n    "b": "2",\n    "a": "1"\n}', '{"a":"1","b":"2"}'),
    ('{"b":"2","a":"1"}', '{"a":"1","b":"2"}'),
    ('{"auth": {"success": true, "mxid": "@john.doe:example.com", "profile": '
     '{"display_name": "John Doe", "three_pids": [{"medium": "email", "address": '
     '"john.doe@example.org"}, {"medium": "msisdn", "address": "123456789"}]}}}',
     '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe",'
     '"three_pids":[{"address":"john.doe@example.org","medium":"email"},'
     '{"address":"123456789","medium":"msisdn"}]},"success":true}}'),
    ('{"a": "日本語"}', '{"a":"日本語"}'),
    ('{"本": 2, "日": 1}', '{"日":1,"本":2}'),
    ('{"a": "\\u65E5"}', '{"a":"日"}'),
    ('{"a": null}', '{"a":null}'),
    ('{"a": -0, "b": 1e10}', '{"a":0,"b":10000000000}'),
    # only the escapes the grammar requires: the short ones, \u00XX in lower case, no others
    ('{"a": "tab\\there\\u0001\\u001f\\"\\\\/é\\u2028"}',
     '{"a":"tab\\there\\u0001\\u001f\\"\\\\/é\u2028"}'),
])
def test_canonical_json_matches_the_spec_examples(given: str, canonical: str) -> None:
    assert canonical_json(json.loads(given)) == canonical.encode("utf-8")


@pytest.mark.parametrize("value", [{"a": 1.5}, {"a": 2**53}, {"a": float("nan")},
                                   {1: "a"}, {"a": b"bytes"}])
def test_canonical_json_refuses_what_it_cannot_write_canonically(value: Any) -> None:
    with pytest.raises(ValueError):
        canonical_json(value)


def test_signing_leaves_out_signatures_and_unsigned_and_keeps_other_signatures() -> None:
    key = Ed25519PrivateKey.generate()
    public = unpadded_b64encode(key.public_key().public_bytes_raw())
    obj = {"b": "ü", "a": [1, {"d": None, "c": True}], "unsigned": {"age": 5},
           "signatures": {"@other:x": {"ed25519:DEV": "sig"}}}
    signed = crosssign.sign_json(obj, "@me:x", key)
    assert signed["signatures"]["@other:x"] == {"ed25519:DEV": "sig"}
    assert signed["unsigned"] == {"age": 5}
    assert verifies(signed, "@me:x", public)
    assert crosssign.has_valid_signature(signed, "@me:x", key.public_key())
    # ``unsigned`` and other signatures are not covered; the content is
    assert verifies({**signed, "unsigned": {"age": 6}}, "@me:x", public)
    assert not verifies({**signed, "b": "u"}, "@me:x", public)
    assert not crosssign.has_valid_signature({**signed, "b": "u"}, "@me:x", key.public_key())
    assert "signatures" in obj and obj["signatures"] == {"@other:x": {"ed25519:DEV": "sig"}}


def test_unpadded_base64_as_the_spec_writes_it() -> None:
    cases = {"": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg",
             "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"}
    for plain, encoded in cases.items():
        assert unpadded_b64encode(plain.encode()) == encoded
        assert unpadded_b64decode(encoded) == plain.encode()
    assert unpadded_b64decode("Zg==") == b"f"  # padded input is accepted too
    with pytest.raises(ValueError):
        unpadded_b64decode("Z!g")


def test_keys_file_is_private_whole_and_reloaded(tmp_path: Path) -> None:
    state_dir = tmp_path / "deep" / "state"
    keys = CrossSigningKeys.load_or_create(state_dir)
    path = state_dir / FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    assert [p.name for p in state_dir.iterdir()] == [FILENAME]  # no temp file left
    again = CrossSigningKeys.load_or_create(state_dir)
    assert (again.master_id, again.self_signing_id) == (keys.master_id, keys.self_signing_id)
    assert keys.master_id == f"ed25519:{file_publics(state_dir)[0]}"
    assert verifies(keys.self_signing_key("@me:x"), "@me:x", file_publics(state_dir)[0])

    looser = tmp_path / "looser"
    looser.mkdir(mode=0o755)
    looser.chmod(0o755)
    CrossSigningKeys.load_or_create(looser)
    assert stat.S_IMODE(looser.stat().st_mode) == 0o700
    assert stat.S_IMODE((looser / FILENAME).stat().st_mode) == 0o600


# --- a real Synapse -----------------------------------------------------------------------
DeviceFactory = Callable[..., Awaitable[AsyncClient]]


@pytest.fixture
async def device(synapse: Synapse, tmp_path: Path) -> AsyncIterator[DeviceFactory]:
    """A fresh account with one logged-in device whose identity keys are uploaded."""
    clients: list[AsyncClient] = []

    async def make(user_id: str | None = None) -> AsyncClient:
        user_id = user_id or synapse.register(unique("summitbot"), PASSWORD)
        store = tmp_path / unique("store")
        store.mkdir()
        client = AsyncClient(synapse.url, user_id, store_path=str(store),
                             config=AsyncClientConfig(encryption_enabled=True,
                                                      store_sync_tokens=False))
        clients.append(client)
        login = await asyncio.wait_for(client.login(PASSWORD), CALL_TIMEOUT)
        assert isinstance(login, LoginResponse), login
        upload = await asyncio.wait_for(client.keys_upload(), CALL_TIMEOUT)
        assert isinstance(upload, KeysUploadResponse), upload
        return client

    yield make
    for client in clients:
        await client.close()


async def query(observer: Person, user_id: str) -> dict[str, Any]:
    result = await asyncio.wait_for(
        observer.api("POST", "/keys/query", {"device_keys": {user_id: []}}), CALL_TIMEOUT)
    assert isinstance(result, dict)
    return result


async def test_signs_its_device_so_others_see_it_cross_signed(
        device: DeviceFactory, person: Callable[[str], Awaitable[Person]],
        synapse: Synapse, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bot = await device()
    assert bot.access_token and bot.device_id
    state_dir = tmp_path / "state"
    caplog.set_level(logging.DEBUG)
    # no password: Synapse takes the first upload of an account's keys without one
    said = await bounded(cross_sign_device(synapse.url, bot.access_token, bot.user_id,
                                           bot.device_id, state_dir))
    assert said is None

    master_public, self_signing_public = file_publics(state_dir)
    observer = await person("observer")
    seen = await query(observer, bot.user_id)
    master = seen["master_keys"][bot.user_id]
    self_signing = seen["self_signing_keys"][bot.user_id]
    assert only_key(master) == master_public and master["usage"] == ["master"]
    assert only_key(self_signing) == self_signing_public
    assert self_signing["usage"] == ["self_signing"]
    assert verifies(self_signing, bot.user_id, master_public)
    device_keys = seen["device_keys"][bot.user_id][bot.device_id]
    assert verifies(device_keys, bot.user_id, self_signing_public)
    # the device's own signature is still there and the check can say no
    assert f"ed25519:{bot.device_id}" in device_keys["signatures"][bot.user_id]
    tampered = {**device_keys, "keys": {**device_keys["keys"], "extra": "x"}}
    assert not verifies(tampered, bot.user_id, self_signing_public)
    assert not verifies(device_keys, bot.user_id, master_public)

    assert stat.S_IMODE((state_dir / FILENAME).stat().st_mode) == 0o600
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    assert any("signed device" in r.getMessage() and r.levelno == logging.INFO
               for r in caplog.records)
    secrets = [bot.access_token, PASSWORD,
               *json.loads((state_dir / FILENAME).read_text()).values()]
    for secret in secrets:
        if isinstance(secret, str) and len(secret) > 4:
            assert secret not in caplog.text

    # a second run finds it signed: same keys, same answer, nothing uploaded anew
    before = (state_dir / FILENAME).read_bytes()
    caplog.clear()
    assert await bounded(cross_sign_device(synapse.url, bot.access_token, bot.user_id,
                                           bot.device_id, state_dir)) is None
    assert (state_dir / FILENAME).read_bytes() == before
    assert not any("signed device" in r.getMessage() or "uploaded" in r.getMessage()
                   for r in caplog.records)
    assert (await query(observer, bot.user_id))["master_keys"][bot.user_id] == master

    # a new device of the same account (a device reset) is signed with the same keys
    second = await device(bot.user_id)
    assert second.device_id and second.access_token and second.device_id != bot.device_id
    assert await bounded(cross_sign_device(synapse.url, second.access_token, bot.user_id,
                                           second.device_id, state_dir)) is None
    assert (state_dir / FILENAME).read_bytes() == before
    seen = await query(observer, bot.user_id)
    assert verifies(seen["device_keys"][bot.user_id][second.device_id], bot.user_id,
                    self_signing_public)


async def test_keys_it_did_not_make_are_left_alone(
        device: DeviceFactory, person: Callable[[str], Awaitable[Person]],
        synapse: Synapse, tmp_path: Path) -> None:
    bot = await device()
    assert bot.access_token and bot.device_id
    assert await bounded(cross_sign_device(synapse.url, bot.access_token, bot.user_id,
                                           bot.device_id, tmp_path / "first")) is None
    observer = await person("observer")
    master = (await query(observer, bot.user_id))["master_keys"][bot.user_id]

    fresh = tmp_path / "fresh"  # the keys file was lost; the password would allow a reset
    said = await bounded(cross_sign_device(synapse.url, bot.access_token, bot.user_id,
                                           bot.device_id, fresh, password=PASSWORD))
    assert said is not None
    assert "already has cross-signing keys summit-bot did not make" in said
    assert said.count(". ") == 0 and said.endswith(".") and bot.device_id in said
    assert not (fresh / FILENAME).exists()  # keys that could never be uploaded: not made
    seen = await query(observer, bot.user_id)
    assert seen["master_keys"][bot.user_id] == master  # not replaced


async def test_a_later_upload_needs_the_password(
        device: DeviceFactory, person: Callable[[str], Awaitable[Person]],
        synapse: Synapse, tmp_path: Path) -> None:
    bot = await device()
    assert bot.access_token and bot.device_id
    state_dir = tmp_path / "state"
    keys = CrossSigningKeys.load_or_create(state_dir)
    # the account has our master key but no self-signing key (an upload cut short)
    async with aiohttp.ClientSession() as http, http.post(
            f"{synapse.url}/_matrix/client/v3/keys/device_signing/upload",
            json={"master_key": keys.master_key(bot.user_id)},
            headers={"Authorization": f"Bearer {bot.access_token}"},
            timeout=aiohttp.ClientTimeout(total=CALL_TIMEOUT)) as response:
        assert response.status == 200, await response.text()

    said = await bounded(cross_sign_device(synapse.url, bot.access_token, bot.user_id,
                                           bot.device_id, state_dir))
    assert said is not None and "password" in said and "access token only" in said
    said = await bounded(cross_sign_device(synapse.url, bot.access_token, bot.user_id,
                                           bot.device_id, state_dir, password="wrong one"))
    assert said is not None and "did not accept the account's password" in said
    assert "wrong one" not in said
    assert await bounded(cross_sign_device(synapse.url, bot.access_token, bot.user_id,
                                           bot.device_id, state_dir, password=PASSWORD)) is None

    observer = await person("observer")
    seen = await query(observer, bot.user_id)
    master_public, self_signing_public = file_publics(state_dir)
    assert only_key(seen["master_keys"][bot.user_id]) == master_public
    assert only_key(seen["self_signing_keys"][bot.user_id]) == self_signing_public
    assert verifies(seen["self_signing_keys"][bot.user_id], bot.user_id, master_public)
    assert verifies(seen["device_keys"][bot.user_id][bot.device_id], bot.user_id,
                    self_signing_public)


async def test_what_cannot_be_signed_is_said_not_raised(
        device: DeviceFactory, synapse: Synapse, tmp_path: Path) -> None:
    bot = await device()
    assert bot.access_token and bot.device_id
    said = await bounded(cross_sign_device(synapse.url, "not-a-token", bot.user_id,
                                           bot.device_id, tmp_path / "a"))
    assert said is not None and "access token" in said and "not-a-token" not in said

    said = await bounded(cross_sign_device(synapse.url, bot.access_token, bot.user_id,
                                           "NOSUCHDEVICE", tmp_path / "b"))
    assert said is not None and "no keys of device NOSUCHDEVICE" in said

    broken = tmp_path / "c"
    broken.mkdir()
    (broken / FILENAME).write_text("{not json")
    said = await bounded(cross_sign_device(synapse.url, bot.access_token, bot.user_id,
                                           bot.device_id, broken))
    assert said is not None and "is not a cross-signing keys file" in said
    assert (broken / FILENAME).read_text() == "{not json"  # left for a person to look at


# --- homeservers that fail ----------------------------------------------------------------
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def fake_server() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, shutdown_timeout=1)
        await runner.setup()
        runners.append(runner)
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


DEVICE = {"user_id": "@bot:x", "device_id": "DEV", "algorithms": ["m.megolm.v1.aes-sha2"],
          "keys": {"ed25519:DEV": "AAAA"}}


async def test_a_homeserver_without_the_endpoints_is_a_sentence(
        fake_server: Callable[[Handler], Awaitable[str]], tmp_path: Path) -> None:
    async def not_found(request: web.Request) -> web.StreamResponse:
        return web.Response(status=404, text="<html>Not Found</html>")

    said = await bounded(cross_sign_device(await fake_server(not_found), "t", "@bot:x",
                                           "DEV", tmp_path))
    assert said is not None and "does not offer the keys query" in said

    async def no_device_signing(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/keys/query"):
            return web.json_response({"device_keys": {"@bot:x": {"DEV": DEVICE}}})
        return web.json_response({"errcode": "M_UNRECOGNIZED", "error": "Unrecognized"},
                                 status=400)

    said = await bounded(cross_sign_device(await fake_server(no_device_signing), "t",
                                           "@bot:x", "DEV", tmp_path))
    assert said is not None and "does not offer the cross-signing keys upload" in said
    assert said.startswith("Device DEV carries on without a cross-signing signature: the "
                           "homeserver")
    assert said.endswith("cross-signing.") and said.count(". ") == 0


async def test_bad_answers_hangs_and_no_server_are_sentences(
        fake_server: Callable[[Handler], Awaitable[str]], tmp_path: Path) -> None:
    async def garbage(request: web.Request) -> web.StreamResponse:
        return web.Response(text="maintenance", content_type="text/html")

    said = await bounded(cross_sign_device(await fake_server(garbage), "t", "@bot:x", "DEV",
                                           tmp_path))
    assert said is not None and "not a JSON object (HTTP 200)" in said

    async def hang(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(10)
        return web.json_response({})

    said = await bounded(cross_sign_device(await fake_server(hang), "t", "@bot:x", "DEV",
                                           tmp_path, timeout=0.3))
    assert said is not None and "did not answer the keys query within 0.3 s" in said

    said = await bounded(cross_sign_device(f"http://127.0.0.1:{free_port()}", "t",
                                           "@bot:x", "DEV", tmp_path))
    assert said is not None and "could not be reached" in said

    async def sso_only(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/keys/query"):
            return web.json_response({"device_keys": {"@bot:x": {"DEV": DEVICE}}})
        return web.json_response({"session": "s", "flows": [{"stages": ["m.login.sso"]}]},
                                 status=401)

    said = await bounded(cross_sign_device(await fake_server(sso_only), "t", "@bot:x",
                                           "DEV", tmp_path, password=PASSWORD))
    assert said is not None and "authentication summit-bot cannot do" in said
    assert PASSWORD not in said


async def test_the_running_bot_signs_its_own_device_at_start(
        start_bot: BotFactory, person: Callable[[str], Awaitable[Person]],
        tmp_path: Path) -> None:
    """serve's Matrix platform (encryption on, a password, a state folder) signs its device
    once its keys are up: others see a self-signing signature on it."""
    bot = await start_bot()
    observer = await person("observer")
    state_dir = tmp_path / "state"

    async def signed() -> dict[str, Any] | None:
        seen = await query(observer, bot.client.user_id)
        device_keys = (seen.get("device_keys") or {}).get(bot.client.user_id, {}).get(
            bot.client.device_id or "")
        if not device_keys or not (state_dir / FILENAME).exists():
            return None
        _, self_signing_public = file_publics(state_dir)
        return device_keys if verifies(device_keys, bot.client.user_id,
                                       self_signing_public) else None

    deadline = asyncio.get_running_loop().time() + 30
    while (found := await signed()) is None:
        assert asyncio.get_running_loop().time() < deadline, "the device was never signed"
        await asyncio.sleep(0.3)
    assert found["device_id"] == bot.client.device_id
    assert stat.S_IMODE((state_dir / FILENAME).stat().st_mode) == 0o600
