"""This instance's committed events handed to the caches following their subjects."""

import pytest

from shared.events.local import LocalEvents, subject_matches


@pytest.mark.parametrize(
    ("pattern", "subject", "matches"),
    [
        ("logbook.api.event.>", "logbook.api.event.created", True),
        ("logbook.api.event.>", "logbook.api.event.rsvp.changed", True),
        ("logbook.api.event.>", "logbook.api.event", False),
        ("logbook.api.event.>", "logbook.api.events.created", False),
        ("logbook.api.*.deleted", "logbook.api.member.deleted", True),
        ("logbook.api.*.deleted", "logbook.api.member.created", False),
        ("logbook.api.member.deleted", "logbook.api.member.deleted", True),
        ("logbook.api.member.deleted", "logbook.api.member.deleted.hard", False),
    ],
)
def test_subject_patterns_match_as_nats_does(pattern: str, subject: str, *, matches: bool) -> None:
    assert subject_matches(pattern, subject) is matches


def test_a_handler_hears_only_its_subjects_and_nothing_once_forgotten() -> None:
    local = LocalEvents()
    heard: list[bytes] = []
    local.follow(("logbook.api.event.>", "logbook.api.location.>"), heard.append)
    local.deliver("logbook.api.event.created", b"one")
    local.deliver("logbook.api.inventory.item_updated", b"two")
    local.deliver("logbook.api.location.updated", b"three")
    local.forget(heard.append)
    local.deliver("logbook.api.event.created", b"four")
    assert heard == [b"one", b"three"]
