"""Kiosk display codes and the keys that make location names unique per building."""

import secrets

# a-z and 2-9 without o, l, 0 and 1, which readers confuse with each other.
CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
CODE_LENGTH = 8


def new_display_code() -> str:
    """A random code; the public kiosk URL trusts it alone, so it comes from `secrets`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def name_key(value: str | None) -> str:
    """Case- and spacing-insensitive form of a name ("" for none: no building is one group)."""
    return " ".join((value or "").split()).casefold()
