"""Cross-signing of the bot's own device, so clients that only talk to devices verified by
their owner (Element's "never send to unverified devices", MSC4153) still talk to the bot.

Neither matrix-nio nor vodozemac's Python bindings do cross-signing, so the bot does it
here: it makes a master and a self-signing Ed25519 key (``cryptography``), signs canonical
JSON as the spec's appendix says, uploads the keys with ``/keys/device_signing/upload`` and
the device's signature with ``/keys/signatures/upload``. The private keys live in their own
owner-only file in the state folder (``cross_signing.json``), which a device reset leaves
alone: a new device of the bot is signed with the same keys and stays trusted.

The bot never replaces cross-signing keys it did not make (a person's identity would be
thrown away); it says so in one sentence and carries on with its device unsigned.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from bot.oserrors import os_sentence

log = logging.getLogger(__name__)

FILENAME = "cross_signing.json"
TIMEOUT_SECONDS = 30.0
_MAX_SAFE_INTEGER = 2**53 - 1  # canonical JSON allows integers in ±(2**53 - 1) only
_UIA_PASSWORD = "m.login.password"


# --- encoding ---------------------------------------------------------------------------
def unpadded_b64encode(data: bytes) -> str:
    """Standard base64 without ``=`` padding: how Matrix writes keys and signatures."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def unpadded_b64decode(text: str) -> bytes:
    """Accepts padded input too (the spec says decoders SHOULD); ValueError if not base64."""
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _canonical_value(value: Any) -> Any:
    """The value with every number an integer, so that two signers write the same bytes."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise ValueError(f"canonical JSON cannot hold the integer {value}")
        return value
    if isinstance(value, float):
        # JSON parsers read 1e10 or -0 as floats; the spec writes them as the integers
        if not value.is_integer() or abs(value) > _MAX_SAFE_INTEGER:
            raise ValueError(f"canonical JSON cannot hold the number {value!r}")
        return int(value)
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise ValueError("canonical JSON object keys must be strings")
        return {key: _canonical_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(item) for item in value]
    raise ValueError(f"canonical JSON cannot hold a {type(value).__name__}")


def canonical_json(obj: Any) -> bytes:
    """Matrix canonical JSON: keys sorted by code point, no insignificant whitespace,
    UTF-8 with only the required escapes, integers only. What signatures are made over."""
    return json.dumps(_canonical_value(obj), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), allow_nan=False).encode("utf-8")


def signing_bytes(obj: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: the object without ``signatures`` and ``unsigned``."""
    return canonical_json({key: value for key, value in obj.items()
                           if key not in ("signatures", "unsigned")})


def key_id(public: Ed25519PublicKey) -> str:
    """``ed25519:<unpadded base64 public key>``, the id of a cross-signing key."""
    return f"ed25519:{unpadded_b64encode(public.public_bytes_raw())}"


def sign_json(obj: Mapping[str, Any], signer: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    """A copy of ``obj`` with ``signer``'s signature added (the others are kept)."""
    signature = unpadded_b64encode(key.sign(signing_bytes(obj)))
    signed = dict(obj)
    signatures = {name: dict(value) for name, value in dict(obj.get("signatures", {})).items()}
    signatures.setdefault(signer, {})[key_id(key.public_key())] = signature
    signed["signatures"] = signatures
    return signed


def has_valid_signature(obj: Mapping[str, Any], signer: str, public: Ed25519PublicKey) -> bool:
    """Whether ``obj`` carries ``signer``'s signature by ``public`` and it verifies."""
    try:
        signature = obj["signatures"][signer][key_id(public)]
        public.verify(unpadded_b64decode(signature), signing_bytes(obj))
    except (KeyError, TypeError, ValueError, InvalidSignature):
        return False
    return True


# --- the keys and their file --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CrossSigningKeys:
    """The account's master key and the self-signing key it vouches for."""

    master: Ed25519PrivateKey
    self_signing: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> CrossSigningKeys:
        return cls(Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate())

    @property
    def master_id(self) -> str:
        return key_id(self.master.public_key())

    @property
    def master_public(self) -> str:
        return unpadded_b64encode(self.master.public_key().public_bytes_raw())

    @property
    def self_signing_public(self) -> str:
        return unpadded_b64encode(self.self_signing.public_key().public_bytes_raw())

    @property
    def self_signing_id(self) -> str:
        return key_id(self.self_signing.public_key())

    def master_key(self, user_id: str) -> dict[str, Any]:
        """The master key as uploaded (the spec leaves its signature by a device optional)."""
        return {"user_id": user_id, "usage": ["master"],
                "keys": {self.master_id: self.master_public}}

    def self_signing_key(self, user_id: str) -> dict[str, Any]:
        """The self-signing key as uploaded, signed by the master key as the spec requires."""
        unsigned = {"user_id": user_id, "usage": ["self_signing"],
                    "keys": {self.self_signing_id: self.self_signing_public}}
        return sign_json(unsigned, user_id, self.master)

    def sign_device(self, device_keys: Mapping[str, Any], user_id: str) -> dict[str, Any]:
        """The device's keys with the self-signing key's signature (``unsigned`` dropped:
        the server compares the rest with what the device uploaded)."""
        bare = {key: value for key, value in device_keys.items() if key != "unsigned"}
        return sign_json(bare, user_id, self.self_signing)

    def dumps(self) -> str:
        return json.dumps({
            "version": 1,
            "master": unpadded_b64encode(self.master.private_bytes_raw()),
            "self_signing": unpadded_b64encode(self.self_signing.private_bytes_raw()),
        })

    @classmethod
    def loads(cls, text: str) -> CrossSigningKeys:
        """ValueError if the text is not a keys file this code wrote."""
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("master"), str) \
                or not isinstance(data.get("self_signing"), str):
            raise ValueError("it lacks the master or the self-signing key")
        return cls(Ed25519PrivateKey.from_private_bytes(unpadded_b64decode(data["master"])),
                   Ed25519PrivateKey.from_private_bytes(
                       unpadded_b64decode(data["self_signing"])))

    @classmethod
    def load(cls, state_dir: Path) -> CrossSigningKeys | None:
        """The saved keys; None if there is no file (OSError, ValueError if unreadable)."""
        try:
            text = (state_dir / FILENAME).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return cls.loads(text)

    @classmethod
    def load_or_create(cls, state_dir: Path) -> CrossSigningKeys:
        """The saved keys, or new ones saved first (so an upload never precedes the save
        and a crash cannot leave the account with keys the bot lost)."""
        keys = cls.load(state_dir)
        if keys is None:
            keys = cls.generate()
            _write_private(state_dir / FILENAME, keys.dumps())
        return keys


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[None]:
    """umask is process-wide: held only for the few calls that create the folder and file."""
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _write_private(path: Path, text: str) -> None:
    """Write whole (temp file renamed over) and owner-only: it holds private keys."""
    folder = path.parent
    with _umask(0o077):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # an existing state folder may be looser; a folder another user owns stays as is,
        # the file itself is 0600 either way
        with contextlib.suppress(PermissionError):
            os.chmod(folder, 0o700)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    with contextlib.suppress(OSError):  # the rename survives a power cut too
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# --- the homeserver ---------------------------------------------------------------------
class _Unsigned(Exception):
    """Why the device carries on unsigned (a clause; the caller makes the sentence)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class _Response:
    status: int
    body: dict[str, Any]

    @property
    def errcode(self) -> str:
        return str(self.body.get("errcode", ""))

    def refusal(self, what: str) -> _Unsigned:
        """The server's no, as a clause; its message is cut short (it is not ours)."""
        if self.status in (404, 405) or self.errcode == "M_UNRECOGNIZED":
            return _Unsigned(f"the homeserver does not offer {what} (HTTP {self.status}); "
                             "it may not support cross-signing")
        if self.errcode in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"):
            return _Unsigned(f"the homeserver did not accept the access token for {what}")
        error = str(self.body.get("error", ""))[:200]
        detail = ": ".join(part for part in (self.errcode, error) if part)
        return _Unsigned(f"the homeserver refused {what} (HTTP {self.status}"
                         + (f" {detail})" if detail else ")"))


@dataclass(slots=True)
class _Api:
    http: aiohttp.ClientSession
    homeserver: str
    access_token: str
    timeout: float

    async def post(self, path: str, body: dict[str, Any], what: str) -> _Response:
        """POST to the client-server API; every transport or JSON failure is _Unsigned."""
        url = f"{self.homeserver.rstrip('/')}/_matrix/client/v3{path}"
        try:
            async with self.http.post(
                    url, json=body, headers={"Authorization": f"Bearer {self.access_token}"},
                    timeout=aiohttp.ClientTimeout(total=self.timeout)) as response:
                status = response.status
                raw = await response.read()
        except TimeoutError:
            raise _Unsigned(f"the homeserver did not answer {what} within "
                            f"{self.timeout:g} s") from None
        except aiohttp.ClientError as exc:
            raise _Unsigned(f"the homeserver could not be reached for {what} "
                            f"({type(exc).__name__})") from None
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if status in (404, 405):  # a plain-text 404 from a proxy or an old server
                return _Response(status, {})
            raise _Unsigned(f"the homeserver answered {what} with something that is not a "
                            f"JSON object (HTTP {status})")
        return _Response(status, data)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _public_keys(cross_signing_key: Any) -> set[str]:
    """The public keys a cross-signing key object lists."""
    return {str(value) for value in _dict(_dict(cross_signing_key).get("keys")).values()}


async def _upload_keys(api: _Api, keys: CrossSigningKeys, user_id: str, with_master: bool,
                       password: str | None) -> None:
    """Upload the self-signing key, and the master key unless the account has it already
    (Synapse 1.163 answers 500 to the same master key sent again with a new self-signing
    key: it inserts the key's device row a second time); answer a password prompt if we
    can."""
    what = "the cross-signing keys upload"
    body: dict[str, Any] = {"self_signing_key": keys.self_signing_key(user_id)}
    if with_master:
        body["master_key"] = keys.master_key(user_id)
    response = await api.post("/keys/device_signing/upload", body, what)
    if response.status == 200:
        return
    flows = response.body.get("flows")
    if response.status != 401 or not isinstance(flows, list):
        raise response.refusal(what)
    stages = [_dict(flow).get("stages") for flow in flows]
    if [_UIA_PASSWORD] not in stages:
        raise _Unsigned("the homeserver wants an authentication summit-bot cannot do to "
                        f"upload cross-signing keys (it offers {stages})")
    if password is None:
        raise _Unsigned("the homeserver wants the account's password to upload "
                        "cross-signing keys, and the bot logs in with an access token only")
    body["auth"] = {"type": _UIA_PASSWORD, "session": response.body.get("session"),
                    "identifier": {"type": "m.id.user", "user": user_id},
                    "password": password}
    response = await api.post("/keys/device_signing/upload", body, what)
    if response.status == 200:
        return
    if response.status == 401 and isinstance(response.body.get("flows"), list):
        raise _Unsigned("the homeserver did not accept the account's password for the "
                        f"cross-signing keys upload ({response.errcode or 'no reason given'})")
    raise response.refusal(what)


async def _cross_sign(api: _Api, user_id: str, device_id: str, state_dir: Path,
                      password: str | None) -> None:
    query = await api.post("/keys/query", {"device_keys": {user_id: []}}, "the keys query")
    if query.status != 200:
        raise query.refusal("the keys query")
    device = _dict(_dict(query.body.get("device_keys")).get(user_id)).get(device_id)
    if not isinstance(device, dict):
        raise _Unsigned(f"the homeserver has no keys of device {device_id} yet (the device "
                        "uploads them when encryption starts)")
    path = state_dir / FILENAME
    try:
        keys = CrossSigningKeys.load(state_dir)
    except OSError as exc:
        raise _Unsigned(os_sentence(exc, path, "read the cross-signing keys")
                        .rstrip(".")) from None
    except ValueError as exc:
        raise _Unsigned(f"{path} is not a cross-signing keys file summit-bot can read "
                        f"({exc}); it is left as it is") from None
    master = _dict(query.body.get("master_keys")).get(user_id)
    if master is not None:
        ours = keys is not None and _public_keys(master) == {keys.master_public}
        if not ours:
            raise _Unsigned("the account already has cross-signing keys summit-bot did not "
                            f"make (a client set them up, or {path} was lost); verify this "
                            "device from a client of the account instead")
    if keys is None:
        try:
            keys = CrossSigningKeys.load_or_create(state_dir)
        except OSError as exc:
            raise _Unsigned(os_sentence(exc, path, "save the cross-signing keys")
                            .rstrip(".")) from None
    self_signing = _dict(query.body.get("self_signing_keys")).get(user_id)
    if master is None or _public_keys(self_signing) != {keys.self_signing_public}:
        await _upload_keys(api, keys, user_id, master is None, password)
        log.info("matrix: uploaded the account's cross-signing keys (master %s)",
                 keys.master_id)
    if has_valid_signature(device, user_id, keys.self_signing.public_key()):
        return
    what = "the device signature upload"
    response = await api.post("/keys/signatures/upload",
                              {user_id: {device_id: keys.sign_device(device, user_id)}}, what)
    if response.status != 200:
        raise response.refusal(what)
    failures = _dict(response.body.get("failures"))
    if failures:
        failure = _dict(_dict(failures.get(user_id)).get(device_id))
        reason = failure.get("errcode") or failure.get("error") or json.dumps(failures)[:200]
        raise _Unsigned(f"the homeserver refused the device signature ({reason})")
    log.info("matrix: signed device %s with the account's self-signing key %s",
             device_id, keys.self_signing_id)


async def cross_sign_device(homeserver: str, access_token: str, user_id: str,
                            device_id: str, state_dir: Path, password: str | None = None,
                            http: aiohttp.ClientSession | None = None,
                            *, timeout: float = TIMEOUT_SECONDS) -> str | None:
    """Sign the bot's device with the account's self-signing key, making and uploading the
    keys on first use. None once the device is signed (now or before); otherwise the one
    sentence saying why it carries on unsigned. Never raises for the server's faults."""
    try:
        if http is None:
            async with aiohttp.ClientSession() as own:
                await _cross_sign(_Api(own, homeserver, access_token, timeout),
                                  user_id, device_id, state_dir, password)
        else:
            await _cross_sign(_Api(http, homeserver, access_token, timeout),
                              user_id, device_id, state_dir, password)
    except _Unsigned as stop:
        return f"Device {device_id} carries on without a cross-signing signature: " \
               f"{stop.reason}."
    return None
