"""The summary colour and the progress-row arithmetic (spec §4.4)."""

import enum
from collections.abc import Iterable
from datetime import date


class Colour(enum.StrEnum):
    """`compliance_status` of the compliance summary."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    EXEMPT = "exempt"


LABELS = {
    Colour.GREEN: "Compliant",
    Colour.YELLOW: "At Risk",
    Colour.RED: "Non-Compliant",
    Colour.EXEMPT: "Exempt",
}


def compliance_colour(
    *,
    met: int,
    total: int,
    certs_expired: int,
    certs_expiring_soon: int,
    exempt: bool = False,
) -> Colour:
    """Red on an expired cert or under half met; yellow on an expiring cert or any unmet; green.

    The cert counts are the superseded ones of `training_stats` (a renewal clears an expiry).
    """
    if exempt:
        return Colour.EXEMPT
    if certs_expired > 0 or met < total * 0.5:
        return Colour.RED
    if certs_expiring_soon > 0 or met < total:
        return Colour.YELLOW
    return Colour.GREEN


def percentage(completed: float, required: float, places: int = 2) -> float:
    """completed / required as a percentage, capped at 100; 0 when there is no positive target."""
    if required <= 0:
        return 0.0
    return min(round(completed / required * 100, places), 100.0)


def average(percentages: Iterable[float], places: int = 1) -> float | None:
    """The mean of the detail percentages (my-training's `avg_compliance`); None when none."""
    values = list(percentages)
    if not values:
        return None
    return round(sum(values) / len(values), places)


def days_until(due: date | None, today: date) -> int | None:
    """Whole days from today to `due` (negative once past); None without a date."""
    return None if due is None else (due - today).days
