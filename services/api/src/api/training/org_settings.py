"""The training choices of an organization's settings document (spec training.md §4.4, §5.3).
Pure: no database, no web framework.

Their own endpoints (the compliance configuration, the module configuration) are LATER, so the
values live in free keys of the document and are read defensively: a value of the wrong type
falls back to the default, never a 500.
- `compliance.include_current_month` (bool, default true): whether the month under way counts
  (the original's `compliance_configs.include_current_month`);
- `training.member_visibility` (object): My Training's member-visibility flags.
"""

from collections.abc import Mapping
from typing import Any

import msgspec

from api.training.schemas import Visibility

MAX_TEXT = 100  # a label or role name; longer stored values fall back to the default
_FIELD_TYPES = {field.name: field.type for field in msgspec.structs.fields(Visibility)}


def include_current_month_default(settings: Mapping[str, Any] | None) -> bool:
    """The organization's default of the current-month switch: true unless set to false."""
    value = _section(settings, "compliance").get("include_current_month")
    return value if isinstance(value, bool) else True


def member_visibility(settings: Mapping[str, Any] | None) -> Visibility:
    """My Training's visibility flags: the stored ones of the right type over the defaults."""
    stored = _section(_section(settings, "training"), "member_visibility")
    chosen: dict[str, Any] = {}
    for key, value in stored.items():
        expected = _FIELD_TYPES.get(key)
        if (
            (expected is bool and isinstance(value, bool))
            or (expected is str and isinstance(value, str) and 0 < len(value) <= MAX_TEXT)
            or (key == "rating_scale_labels" and _labels(value))
        ):
            chosen[key] = value
    return Visibility(**chosen)


def _section(document: Mapping[str, Any] | None, name: str) -> Mapping[str, Any]:
    value = (document or {}).get(name)
    return value if isinstance(value, dict) else {}


def _labels(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(key, str) and isinstance(label, str) for key, label in value.items()
    )
