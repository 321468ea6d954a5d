"""Checking free-form bodies (the settings document, module switches) into validated values.

Failures are 422s that name the field, like those of typed bodies.
"""

from typing import Any

import msgspec
from litestar.exceptions import ValidationException

from api.organization.modules import MODULE_DEFAULTS
from api.organization.sections import SECTIONS

# A settings document is small; this keeps a client from storing megabytes in the row.
MAX_SETTINGS_BYTES = 200_000


def _invalid(path: str, error: msgspec.ValidationError) -> ValidationException:
    # Point the error's `$` path below `path`, so the 422 names e.g. `email_service.smtp_port`.
    message = str(error).replace("at `$", f"at `$.{path}")
    if " - at `" not in message:
        message += f" - at `$.{path}`"
    return ValidationException(extra=[{"message": message, "key": path}])


def parse_settings_patch(body: dict[str, Any]) -> dict[str, Any]:
    """A PATCH body checked: known sections as sent (validated), modules as booleans, free keys."""
    if len(msgspec.json.encode(body)) > MAX_SETTINGS_BYTES:
        raise ValidationException(extra=[{"message": "of length <= limit", "key": "request"}])
    patch: dict[str, Any] = {}
    for key, value in body.items():
        if key in SECTIONS:
            patch[key] = parse_section(key, value, partial=True)
        elif key == "modules":
            patch[key] = parse_modules(value, path="modules.")
        else:
            patch[key] = value
    return patch


def parse_section(name: str, value: object, *, partial: bool) -> dict[str, Any]:
    """One known section validated; partial keeps only the keys sent, else defaults fill in."""
    if not isinstance(value, dict):
        raise _invalid(name, msgspec.ValidationError("Expected `object`"))
    try:
        checked = msgspec.convert(value, SECTIONS[name])
    except msgspec.ValidationError as exc:
        raise _invalid(name, exc) from exc
    builtins: dict[str, Any] = msgspec.to_builtins(checked)
    return {key: builtins[key] for key in value if key in builtins} if partial else builtins


def parse_modules(value: object, *, path: str = "") -> dict[str, bool]:
    """Known module switches as booleans; unknown keys are ignored."""
    if not isinstance(value, dict):
        raise _invalid(path.rstrip(".") or "request", msgspec.ValidationError("Expected `object`"))
    switches: dict[str, bool] = {}
    for key, on in value.items():
        if key not in MODULE_DEFAULTS:
            continue
        if not isinstance(on, bool):
            raise _invalid(path + key, msgspec.ValidationError("Expected `bool`"))
        switches[key] = on
    return switches
