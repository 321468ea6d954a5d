"""Columns encrypted at rest (AES-256-GCM), transparent to the code that reads them.

The key comes from `ENCRYPTION_KEY`/`ENCRYPTION_SALT`; each process installs it once at start
(`install_field_key`), since a column type has no other way to reach the settings.
"""

import json
from datetime import date
from typing import Any

from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from shared.crypto import decrypt_secret, encrypt_secret
from shared.settings import Settings

_settings: list[Settings] = []


def install_field_key(settings: Settings) -> None:
    """Use these settings' encryption key for every encrypted column of this process."""
    _settings[:] = [settings]


def _key() -> Settings:
    if not _settings:
        raise RuntimeError("encrypted columns used before install_field_key()")
    return _settings[0]


class EncryptedText(TypeDecorator[str]):
    """A text value stored sealed; `None` stays NULL so "not set" remains queryable."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:  # noqa: ARG002
        return None if value is None else encrypt_secret(_key(), value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:  # noqa: ARG002
        return None if value is None else decrypt_secret(_key(), value)


class EncryptedDate(TypeDecorator[date]):
    """A date stored sealed as its ISO text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: Dialect) -> str | None:  # noqa: ARG002
        return None if value is None else encrypt_secret(_key(), value.isoformat())

    def process_result_value(self, value: str | None, dialect: Dialect) -> date | None:  # noqa: ARG002
        return None if value is None else date.fromisoformat(decrypt_secret(_key(), value))


class EncryptedJson(TypeDecorator[Any]):
    """A JSON document stored sealed."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:  # noqa: ARG002
        return None if value is None else encrypt_secret(_key(), json.dumps(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:  # noqa: ARG002
        return None if value is None else json.loads(decrypt_secret(_key(), value))
