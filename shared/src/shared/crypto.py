"""Secrets at rest (MFA secrets): AES-256-GCM under a PBKDF2 key, as spec/auth.md §5.2 says."""

import base64
import binascii
import hashlib
import os
from functools import lru_cache
from typing import TYPE_CHECKING

from shared.settings import Settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "$gcm2$"
PBKDF2_ITERATIONS = 600_000
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16


class SecretDecryptionError(Exception):
    """A stored secret that is not ours, was altered, or was sealed under another key."""


@lru_cache(maxsize=4)
def _derive_key(key: str, salt: str) -> bytes:
    # 600 000 PBKDF2 rounds take a noticeable fraction of a second: once per key/salt pair.
    return hashlib.pbkdf2_hmac(
        "sha256", key.encode(), salt.encode(), PBKDF2_ITERATIONS, dklen=KEY_BYTES
    )


def _cipher(settings: Settings) -> "AESGCM":
    # Imported when first needed: cryptography's OpenSSL bindings are about 10 MiB of every
    # process that loads them, and most never seal or open a secret.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    key = settings.encryption_key.get_secret_value() if settings.encryption_key else ""
    salt = settings.encryption_salt.get_secret_value() if settings.encryption_salt else ""
    if not key or not salt:
        raise RuntimeError("ENCRYPTION_KEY and ENCRYPTION_SALT must be set")
    return AESGCM(_derive_key(key, salt))


def encrypt_secret(settings: Settings, plaintext: str) -> str:
    """`$gcm2$` + URL-safe base64 of nonce ‖ ciphertext ‖ tag, with a fresh random nonce."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(settings).encrypt(nonce, plaintext.encode(), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt_secret(settings: Settings, stored: str) -> str:
    """The plaintext of `encrypt_secret`; `SecretDecryptionError` if it does not authenticate."""
    if not stored.startswith(PREFIX):
        raise SecretDecryptionError("not an encrypted secret")
    try:
        blob = base64.urlsafe_b64decode(stored.removeprefix(PREFIX).encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise SecretDecryptionError("malformed encrypted secret") from exc
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise SecretDecryptionError("malformed encrypted secret")
    from cryptography.exceptions import InvalidTag  # noqa: PLC0415 - as in _cipher

    try:
        plain = _cipher(settings).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], None)
    except InvalidTag as exc:
        raise SecretDecryptionError("the secret was altered or the key changed") from exc
    try:
        return plain.decode()
    except UnicodeDecodeError as exc:
        raise SecretDecryptionError("the secret is not text") from exc
