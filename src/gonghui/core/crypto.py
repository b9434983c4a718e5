"""Encryption of personal data at rest: SM4-GCM values and HMAC-SM3 blind indexes (DOMAIN §8, docs/crypto.md).

A stored value is the compact ASCII string ``<kid>$<base64url(nonce || ciphertext || tag)>``: the key id travels
with every value, so keys can be rotated row by row (`gonghui keys rotate`). The associated data is the value's
purpose (``"accounts.user.mobile"``), so a ciphertext copied into another column fails to decrypt.

A blind index is HMAC-SM3 over the purpose and the normalised value, under a separate index key. It lets the
database find and enforce uniqueness of a value it cannot read.

Nothing here is a user-facing message: a value that fails to decrypt is an integrity failure for operators,
not an input error, so these errors are plain exceptions with English text and never contain the value.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

Kind = Literal["id_number", "mobile", "bank_card", "text"]

KEY_BYTES = 16  # SM4 has a 128-bit key.
INDEX_KEY_MIN_BYTES = 16
NONCE_BYTES = 12  # The GCM standard nonce; random nonces are safe for about 2**32 values per key.
TAG_BYTES = 16
SEPARATOR = "$"
KID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
_SETTINGS = (
    "GONGHUI_DATA_KEYS",
    "GONGHUI_DATA_KEY_CURRENT",
    "GONGHUI_DATA_KEY_FILE",
    "GONGHUI_INDEX_KEY",
    "VAR_DIR",
    "DEBUG",
    "TESTING",
    "GONGHUI_DEMO",
)


class CryptoError(Exception):
    """A stored value cannot be read: tampered, under an unknown key, or moved from another column."""


@dataclass(frozen=True)
class KeyRing:
    """The data keys by id, the id new values are written under, and the blind-index key."""

    current: str
    keys: dict[str, bytes]
    index_key: bytes
    source: str  # where the keys came from, for `gonghui keys status`; never the keys themselves

    def key(self, kid: str) -> bytes:
        try:
            return self.keys[kid]
        except KeyError:
            raise CryptoError(
                f"No data key with id {kid!r} is configured (known: {', '.join(sorted(self.keys))}). "
                "Add it to GONGHUI_DATA_KEYS or the key file until `gonghui keys rotate` has moved every value."
            ) from None


# --- configuration --------------------------------------------------------------------------------------


def _setting(name: str) -> str:
    """A setting, or the environment variable of the same name while settings.py does not define it."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value).strip()


def _flag(name: str) -> bool:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _b64decode(text: str, what: str) -> bytes:
    text = text.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64.") from None


def _check_keys(current: str, keys: dict[str, bytes], index_key: bytes, source: str) -> KeyRing:
    if not keys:
        raise ImproperlyConfigured(f"No data keys in {source}.")
    for kid, key in keys.items():
        if not KID_PATTERN.fullmatch(kid):
            raise ImproperlyConfigured(f"Data key id {kid!r} in {source} must be 1-32 of A-Z a-z 0-9 _ -.")
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"Data key {kid!r} in {source} has {len(key)} bytes; SM4 needs {KEY_BYTES}."
            )
    if current not in keys:
        raise ImproperlyConfigured(f"The current data key id {current!r} is not among the keys in {source}.")
    if len(index_key) < INDEX_KEY_MIN_BYTES:
        raise ImproperlyConfigured(
            f"The blind-index key (GONGHUI_INDEX_KEY or index_key in the key file) needs at least "
            f"{INDEX_KEY_MIN_BYTES} bytes; generate one with `gonghui keys generate --index`."
        )
    return KeyRing(current=current, keys=keys, index_key=index_key, source=source)


def _parse_key_list(text: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        kid, sep, encoded = item.strip().partition(":")
        if not sep:
            raise ImproperlyConfigured("GONGHUI_DATA_KEYS holds comma-separated kid:base64key pairs.")
        keys[kid.strip()] = _b64decode(encoded, f"Data key {kid.strip()!r} in GONGHUI_DATA_KEYS")
    return keys


def _read_key_file(path: Path) -> tuple[str, dict[str, bytes], bytes]:
    try:
        data = json.loads(path.read_text())
        current = str(data.get("current", ""))
        keys = {str(k): _b64decode(str(v), f"Data key {k!r} in {path}") for k, v in data["keys"].items()}
        index = str(data.get("index_key", ""))
    except FileNotFoundError:
        raise ImproperlyConfigured(f"The data key file {path} does not exist.") from None
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise ImproperlyConfigured(
            f'The data key file {path} must be JSON {{"current": ..., "keys": {{...}}, "index_key": ...}}.'
        ) from exc
    return current, keys, _b64decode(index, f"index_key in {path}") if index else b""


def new_key_file_content() -> dict[str, Any]:
    return {
        "current": "k1",
        "keys": {"k1": generate_key()},
        "index_key": generate_index_key(),
    }


def _demo_key_file(var_dir: Path) -> Path:
    """Create the demo and test key file once, like settings.py does for the demo SECRET_KEY.

    The file is written under a temporary name and hard-linked into place, so two processes starting at the
    same time cannot end up with different keys.
    """
    path = var_dir / "data-keys.json"
    if path.exists():
        return path
    var_dir.mkdir(parents=True, exist_ok=True)
    tmp = var_dir / f".data-keys.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(new_key_file_content(), handle, indent=2)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path


def load_keyring() -> KeyRing:
    """Read the keys from settings or the environment (uncached; `keyring()` caches it)."""
    env_keys = _setting("GONGHUI_DATA_KEYS")
    key_file = _setting("GONGHUI_DATA_KEY_FILE")
    current = _setting("GONGHUI_DATA_KEY_CURRENT")
    index_b64 = _setting("GONGHUI_INDEX_KEY")
    index_key = _b64decode(index_b64, "GONGHUI_INDEX_KEY") if index_b64 else b""

    if env_keys:
        keys = _parse_key_list(env_keys)
        source = "GONGHUI_DATA_KEYS"
        # Without an explicit current id the last pair listed is the newest one.
        current = current or (list(keys)[-1] if keys else "")
        if not index_key and key_file:
            index_key = _read_key_file(Path(key_file))[2]
        return _check_keys(current, keys, index_key, source)

    if not key_file:
        if not (_flag("DEBUG") or _flag("TESTING") or _flag("GONGHUI_TESTING") or _flag("GONGHUI_DEMO")):
            raise ImproperlyConfigured(
                "Personal data needs encryption keys: set GONGHUI_DATA_KEYS and GONGHUI_INDEX_KEY, or "
                "GONGHUI_DATA_KEY_FILE (see docs/crypto.md; `gonghui keys generate` makes keys)."
            )
        key_file = str(_demo_key_file(Path(getattr(settings, "VAR_DIR", "var"))))
    file_current, keys, file_index = _read_key_file(Path(key_file))
    return _check_keys(current or file_current, keys, index_key or file_index, key_file)


@lru_cache(maxsize=1)
def keyring() -> KeyRing:
    ring = load_keyring()
    _self_test(ring)
    return ring


@receiver(setting_changed)
def _reset_keyring(*, setting: str, **kwargs: Any) -> None:
    """Tests change the keys with override_settings; forget the cached ring when they do."""
    if setting in _SETTINGS:
        keyring.cache_clear()


def _self_test(ring: KeyRing) -> None:
    """Fail at the first use with a clear message when this OpenSSL build has no SM4-GCM or HMAC-SM3."""
    try:
        probe = _seal(b"\x00" * KEY_BYTES, b"\x00" * NONCE_BYTES, b"probe", b"self-test")
        _open(b"\x00" * KEY_BYTES, probe, b"self-test")
        _hmac_sm3(ring.index_key, b"probe")
    except UnsupportedAlgorithm as exc:
        raise ImproperlyConfigured(
            "The OpenSSL library under `cryptography` does not provide SM4-GCM and HMAC-SM3; "
            "install an OpenSSL build with the SM algorithms enabled (see docs/crypto.md)."
        ) from exc


# --- SM4-GCM --------------------------------------------------------------------------------------------


def _seal(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + body + encryptor.tag


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise InvalidTag
    nonce, body, tag = blob[:NONCE_BYTES], blob[NONCE_BYTES:-TAG_BYTES], blob[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def encrypt(value: str, *, purpose: str, kid: str | None = None) -> str:
    """Encrypt under the current key (or `kid`), bound to `purpose`; returns ``<kid>$<base64url>``."""
    ring = keyring()
    kid = kid or ring.current
    blob = _seal(ring.key(kid), os.urandom(NONCE_BYTES), value.encode("utf-8"), purpose.encode("utf-8"))
    return f"{kid}{SEPARATOR}{base64.urlsafe_b64encode(blob).rstrip(b'=').decode('ascii')}"


def key_id(token: str) -> str:
    """The id of the key a stored value was encrypted under."""
    kid, sep, _rest = token.partition(SEPARATOR)
    if not sep or not KID_PATTERN.fullmatch(kid):
        raise CryptoError("This is not an encrypted value (expected <kid>$<base64url>).")
    return kid


def decrypt(token: str, *, purpose: str) -> str:
    """The plaintext of a stored value, or CryptoError when it was changed, moved or its key is missing."""
    kid = key_id(token)
    encoded = token[len(kid) + 1 :]
    try:
        blob = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise CryptoError(
            f"The encrypted value for {purpose} under key {kid!r} is not valid base64."
        ) from None
    try:
        plaintext = _open(keyring().key(kid), blob, purpose.encode("utf-8"))
    except InvalidTag:
        raise CryptoError(
            f"The encrypted value for {purpose} under key {kid!r} failed authentication: it was changed, "
            "copied from another column, or the key with this id is not the one it was written with."
        ) from None
    return plaintext.decode("utf-8")


def reencrypt(token: str, *, purpose: str) -> str:
    """The same plaintext under the current key (the value itself if it already is)."""
    if key_id(token) == keyring().current:
        return token
    return encrypt(decrypt(token, purpose=purpose), purpose=purpose)


# --- blind index ----------------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)})


def normalize_for_index(value: str, kind: Kind) -> str:
    """The canonical form that is indexed, so that the spellings people type find the same row.

    It never raises: a malformed value simply gets an index that matches nothing. Services validate with
    gonghui.core.identifiers before storing.
    """
    if kind == "id_number":
        from .identifiers import normalize_id_number

        return normalize_id_number(value)
    if kind == "mobile":
        digits = (
            value if value.isascii() and value.isdigit() else re.sub(r"\D", "", value.translate(_FULLWIDTH))
        )
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        elif len(digits) == 15 and digits.startswith("0086"):
            digits = digits[4:]
        return digits
    if kind == "bank_card":
        return re.sub(r"\D", "", value.translate(_FULLWIDTH))
    return unicodedata.normalize("NFKC", value).strip()


def _hmac_sm3(key: bytes, message: bytes) -> bytes:
    mac = _keyed_hmac(key).copy()
    mac.update(message)
    return mac.finalize()


@lru_cache(maxsize=4)
def _keyed_hmac(key: bytes) -> hmac.HMAC:
    """An HMAC-SM3 context with the key already absorbed; each index copies it (a third of the cost of
    keying a new one, which a bulk import pays three times a row). Never updated itself."""
    return hmac.HMAC(key, hashes.SM3())


def blind_index(value: str, *, purpose: str, kind: Kind = "text") -> str:
    """HMAC-SM3 (64 hex characters) of the normalised value, separated by purpose.

    The same mobile number under "accounts.user.mobile" and "rights.case.contact_mobile" gives different
    indexes, so one leaked index column cannot be joined with another; pass the same purpose where a match
    across tables is wanted.
    """
    message = purpose.encode("utf-8") + b"\x00" + normalize_for_index(value, kind).encode("utf-8")
    return _hmac_sm3(keyring().index_key, message).hex()


# --- key generation -------------------------------------------------------------------------------------


def generate_key() -> str:
    """A new SM4 data key, base64."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def generate_index_key() -> str:
    """A new blind-index key, base64 (256 bits, the SM3 output size)."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")
