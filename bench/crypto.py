"""Cost per value of encrypting personal data: SM4-GCM and HMAC-SM3 against an AES-GCM / HMAC-SHA256 floor.

Usage:
    .venv/bin/python bench/crypto.py [--n 20000] [--repeat 5]

Times, per value (an 18-character ID number), in microseconds, the best of --repeat runs of --n values:

  encrypt            gonghui.core.crypto.encrypt (random nonce, SM4-GCM, base64url, key id)
  decrypt            gonghui.core.crypto.decrypt
  blind index        gonghui.core.crypto.blind_index (normalise, HMAC-SM3, hex)
  all three          what storing and reading one value back costs the application
  sm4-gcm raw        the Cipher API alone: SM4-GCM encrypt then decrypt, no encoding
  aes-gcm raw        the same with AES-128 through the same Cipher API
  aesgcm aead        cryptography's one-shot AESGCM class, encrypt then decrypt: the floor
  hmac-sm3 / -sha256 the MAC alone

No database is touched: the figures are the CPU cost the fields add per value. The keys are fixed test keys
set in this process only.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
os.environ.setdefault("GONGHUI_TESTING", "1")
os.environ["GONGHUI_DATA_KEYS"] = "k1:" + base64.b64encode(bytes(range(16))).decode()
os.environ["GONGHUI_INDEX_KEY"] = base64.b64encode(bytes(range(32))).decode()

import django

django.setup()

import cryptography  # noqa: E402
from cryptography.hazmat.backends.openssl import backend  # noqa: E402
from cryptography.hazmat.primitives import hashes, hmac  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from gonghui.core import crypto  # noqa: E402

VALUE = "11010519491231002X"
PURPOSE = "members.member.id_number"


def best_us(fn: Callable[[], object], n: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, time.perf_counter() - start)
    return best / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    key = bytes(range(16))
    data = VALUE.encode()
    aad = PURPOSE.encode()
    token = crypto.encrypt(VALUE, purpose=PURPOSE)
    aead = AESGCM(key)

    def gcm_round_trip(algorithm: Callable[[bytes], object]) -> Callable[[], bytes]:
        def run() -> bytes:
            nonce = os.urandom(12)
            enc = Cipher(algorithm(key), modes.GCM(nonce)).encryptor()  # type: ignore[arg-type]
            enc.authenticate_additional_data(aad)
            ct = enc.update(data) + enc.finalize()
            dec = Cipher(algorithm(key), modes.GCM(nonce, enc.tag)).decryptor()  # type: ignore[arg-type]
            dec.authenticate_additional_data(aad)
            return dec.update(ct) + dec.finalize()

        return run

    def mac(algorithm: hashes.HashAlgorithm) -> Callable[[], bytes]:
        def run() -> bytes:
            h = hmac.HMAC(key, algorithm)
            h.update(data)
            return h.finalize()

        return run

    def aead_round_trip() -> bytes:
        nonce = os.urandom(12)
        return aead.decrypt(nonce, aead.encrypt(nonce, data, aad), aad)

    def all_three() -> str:
        crypto.decrypt(crypto.encrypt(VALUE, purpose=PURPOSE), purpose=PURPOSE)
        return crypto.blind_index(VALUE, purpose=PURPOSE, kind="id_number")

    cases: list[tuple[str, Callable[[], object]]] = [
        ("encrypt", lambda: crypto.encrypt(VALUE, purpose=PURPOSE)),
        ("decrypt", lambda: crypto.decrypt(token, purpose=PURPOSE)),
        ("blind index", lambda: crypto.blind_index(VALUE, purpose=PURPOSE, kind="id_number")),
        ("all three", all_three),
        ("sm4-gcm raw (enc+dec)", gcm_round_trip(algorithms.SM4)),
        ("aes-gcm raw (enc+dec)", gcm_round_trip(algorithms.AES)),
        ("aesgcm aead (enc+dec)", aead_round_trip),
        ("hmac-sm3", mac(hashes.SM3())),
        ("hmac-sha256", mac(hashes.SHA256())),
    ]
    results = {name: best_us(fn, args.n, args.repeat) for name, fn in cases}
    floor = results["aesgcm aead (enc+dec)"]
    print(
        f"Python {platform.python_version()}, cryptography {cryptography.__version__}, "
        f"{backend.openssl_version_text()}, {os.cpu_count()} cores, n={args.n}, best of {args.repeat}"
    )
    print("| operation | µs per value | × AESGCM floor |\n|---|---:|---:|")
    for name, us in results.items():
        print(f"| {name} | {us:.2f} | {us / floor:.2f} |")


if __name__ == "__main__":
    main()
