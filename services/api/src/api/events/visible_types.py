"""The event tabs, custom categories and membership tiers of an organization's settings
document (spec events.md §4.1 visible-event-types). Pure: no database, no web framework.

The `events` section is a free key of the document (its own endpoints are LATER, §10), stored
as an admin sent it, so every value is read defensively: what is not of the expected shape
falls back to the defaults or is left out, never a 500.
"""

from typing import Any

from api.events.schemas import CustomCategory, MembershipTypeOption, VisibleEventTypes
from shared.models import EventType

DEFAULT_VISIBLE = [
    EventType.BUSINESS_MEETING,
    EventType.PUBLIC_EDUCATION,
    EventType.TRAINING,
    EventType.OTHER,
]
# The membership-tier schema's defaults (members spec §2.2), for an organization without tiers.
DEFAULT_TIERS = [
    ("probationary", "Probationary"),
    ("active", "Active"),
    ("senior", "Senior"),
    ("life", "Life"),
]
KNOWN_TYPES = frozenset(member.value for member in EventType)


def visible_event_types(settings: dict[str, Any] | None) -> VisibleEventTypes:
    """What `GET /events/visible-event-types` answers for this settings document."""
    document = settings or {}
    section = document.get("events")
    events = section if isinstance(section, dict) else {}
    types = [
        EventType(value)
        for value in _items(events.get("visible_event_types"))
        if isinstance(value, str) and value in KNOWN_TYPES
    ]
    return VisibleEventTypes(
        visible_event_types=types or list(DEFAULT_VISIBLE),
        custom_event_categories=[
            CustomCategory(
                value=entry["value"],
                label=_text(entry.get("label")) or entry["value"],
                color=_text(entry.get("color")),
            )
            for entry in _items(events.get("custom_event_categories"))
            if isinstance(entry, dict) and _text(entry.get("value"))
        ],
        visible_custom_categories=[
            value for value in _items(events.get("visible_custom_categories")) if _text(value)
        ],
        membership_types=_membership_types(document),
    )


def _membership_types(settings: dict[str, Any]) -> list[MembershipTypeOption]:
    """The organization's tiers by their order, else the schema's defaults."""
    section = settings.get("membership_tiers")
    tiers = _items(section.get("tiers") if isinstance(section, dict) else None)
    valid = [tier for tier in tiers if isinstance(tier, dict) and tier.get("id")]
    if not valid:
        return [MembershipTypeOption(value=value, label=label) for value, label in DEFAULT_TIERS]
    ordered = sorted(valid, key=lambda tier: _order(tier.get("sort_order")))
    return [
        MembershipTypeOption(value=str(tier["id"]), label=str(tier.get("name") or tier["id"]))
        for tier in ordered
    ]


def _items(value: object) -> list[Any]:
    """A list value of the document, or none when it holds something else."""
    return value if isinstance(value, list) else []


def _text(value: object) -> str | None:
    """A non-empty string value of the document, else None."""
    return value if isinstance(value, str) and value else None


def _order(value: object) -> int:
    return value if isinstance(value, int) else 0
