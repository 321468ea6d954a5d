"""AES-256-GCM for secrets at rest under a PBKDF2 key (spec/auth.md §5.2)."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.crypto import (
    NONCE_BYTES,
    PBKDF2_ITERATIONS,
    PREFIX,
    SecretDecryptionError,
    decrypt_secret,
    encrypt_secret,
)
from shared.settings import Settings
from tests.conftest import TEST_SECRETS

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(_env_file=None, **TEST_SECRETS)


def _blob(stored: str) -> bytes:
    return base64.urlsafe_b64decode(stored.removeprefix(PREFIX))


def _restore(blob: bytes) -> str:
    return PREFIX + base64.urlsafe_b64encode(blob).decode()


class TestEncryptSecret:
    def test_a_round_trip_gives_the_plaintext_back(self, settings: Settings) -> None:
        stored = encrypt_secret(settings, SECRET)
        assert stored.startswith("$gcm2$")
        assert SECRET not in stored
        assert decrypt_secret(settings, stored) == SECRET

    def test_the_format_is_nonce_ciphertext_tag_under_the_pbkdf2_key(
        self, settings: Settings
    ) -> None:
        blob = _blob(encrypt_secret(settings, SECRET))
        assert len(blob) == NONCE_BYTES + len(SECRET) + 16
        key = hashlib.pbkdf2_hmac(
            "sha256",
            TEST_SECRETS["encryption_key"].encode(),
            TEST_SECRETS["encryption_salt"].encode(),
            PBKDF2_ITERATIONS,
            dklen=32,
        )
        assert AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], None) == SECRET.encode()

    def test_each_encryption_uses_a_new_nonce(self, settings: Settings) -> None:
        first, second = encrypt_secret(settings, SECRET), encrypt_secret(settings, SECRET)
        assert first != second
        assert _blob(first)[:NONCE_BYTES] != _blob(second)[:NONCE_BYTES]


class TestDecryptSecret:
    @pytest.mark.parametrize("position", [0, NONCE_BYTES, -1], ids=["nonce", "ciphertext", "tag"])
    def test_a_tampered_value_is_refused(self, settings: Settings, position: int) -> None:
        blob = bytearray(_blob(encrypt_secret(settings, SECRET)))
        blob[position] ^= 0x01
        with pytest.raises(SecretDecryptionError):
            decrypt_secret(settings, _restore(bytes(blob)))

    def test_another_key_cannot_decrypt(self, settings: Settings) -> None:
        stored = encrypt_secret(settings, SECRET)
        other = settings.with_secrets(encryption_key="another-encryption-key-0123456789abcdef01")
        with pytest.raises(SecretDecryptionError):
            decrypt_secret(other, stored)

    def test_another_salt_cannot_decrypt(self, settings: Settings) -> None:
        stored = encrypt_secret(settings, SECRET)
        other = settings.with_secrets(encryption_salt="fedcba9876543210fedcba9876543210")
        with pytest.raises(SecretDecryptionError):
            decrypt_secret(other, stored)

    @pytest.mark.parametrize("stored", [SECRET, "$gcm2$not base64!", "$gcm2$AAAA", "$gcm2$é"])
    def test_a_value_that_is_not_ours_is_refused(self, settings: Settings, stored: str) -> None:
        with pytest.raises(SecretDecryptionError):
            decrypt_secret(settings, stored)

    def test_without_an_encryption_key_nothing_is_encrypted(self) -> None:
        with pytest.raises(RuntimeError, match="ENCRYPTION_KEY"):
            encrypt_secret(Settings(_env_file=None), SECRET)
