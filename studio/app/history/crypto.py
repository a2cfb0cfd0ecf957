"""Optional encryption at rest of the history's payloads (docs/privacy.md has the scheme).

Each payload (prompt, parameters, targets...) and each derived blob (embeddings, the
profile snapshot) is sealed with AES-256-GCM under a key derived from the user's
passphrase with scrypt and a random salt stored in the database. What stays in
clear is what the log needs to order and filter without the key: row ids,
timestamps, event types, session and project ids.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from studio.api import StudioError

ENV_PASSPHRASE = "STUDIO_PASSPHRASE"

# scrypt cost: about 0.1 s and 32 MiB on a laptop, paid once per opening. Stored with
# the salt so a later build can raise it without breaking existing databases.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_CHECK = b"studio-history-key-check-v1"
_NONCE = 12


class WrongPassphrase(StudioError):
    """The passphrase does not open this history."""


def _aesgcm(key: bytes):  # type: ignore[no-untyped-def]
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError as exc:  # pragma: no cover - cryptography is a core dependency
        raise StudioError(
            "encryption needs the 'cryptography' package: pip install cryptography"
        ) from exc
    return AESGCM(key)


def derive_key(passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R,
               p: int = SCRYPT_P) -> bytes:
    if not passphrase:
        raise StudioError("the passphrase is empty")
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=128 * 1024 * 1024, dklen=32)


class Cipher:
    """Seals and opens blobs; ``aad`` binds a blob to its row's clear columns."""

    def __init__(self, key: bytes) -> None:
        self._aead = _aesgcm(key)
        # A separate subkey for text hashes, so the embedding cache's keys do not
        # reveal which well-known prompts were used (plain SHA-256 would).
        self._hash_key = hmac.new(key, b"text-hash", hashlib.sha256).digest()

    @classmethod
    def create(cls, passphrase: str) -> tuple[Cipher, dict[str, bytes | int]]:
        """A new key; returns the cipher and the parameters to store (salt, check...)."""
        salt = os.urandom(16)
        cipher = cls(derive_key(passphrase, salt))
        params: dict[str, bytes | int] = {
            "salt": salt, "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
            "check": cipher.seal(_CHECK, b"check"),
        }
        return cipher, params

    @classmethod
    def open(cls, passphrase: str, params: dict[str, bytes | int]) -> Cipher:
        key = derive_key(passphrase, bytes(params["salt"]),  # type: ignore[arg-type]
                         int(params["n"]), int(params["r"]), int(params["p"]))
        cipher = cls(key)
        try:
            if cipher.open_blob(bytes(params["check"]), b"check") != _CHECK:  # type: ignore[arg-type]
                raise ValueError
        except Exception as exc:
            raise WrongPassphrase(
                "the passphrase does not open this history (there is no recovery: "
                "without it the encrypted history cannot be read)"
            ) from exc
        return cipher

    def seal(self, data: bytes, aad: bytes = b"") -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, data, aad)

    def open_blob(self, blob: bytes, aad: bytes = b"") -> bytes:
        return self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], aad)

    def text_hash(self, text: str) -> str:
        return hmac.new(self._hash_key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def plain_text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
