"""An item's history built from its holder records (spec inventory.md §7.6)."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from api.inventory.schemas import HistoryEvent
from api.inventory.service._holding import is_overdue
from shared.models import CheckoutRecord, ItemAssignment, ItemIssuance


def history_events(
    assignments: Sequence[ItemAssignment],
    checkouts: Sequence[CheckoutRecord],
    issuances: Sequence[ItemIssuance],
    names: dict[UUID, str],
    *,
    now: datetime,
) -> list[HistoryEvent]:
    """Every event of the records, newest first (maintenance records are LATER)."""
    events: list[HistoryEvent] = []
    for a in assignments:
        events.extend(_assignment(a, names.get(a.user_id, "")))
    for c in checkouts:
        events.extend(_checkout(c, names.get(c.user_id, ""), now))
    for i in issuances:
        events.extend(_issuance(i, names.get(i.user_id, "")))
    return sorted(events, key=lambda event: (event.date, event.id), reverse=True)


def _assignment(row: ItemAssignment, who: str) -> list[HistoryEvent]:
    events = [
        HistoryEvent(
            type="assignment",
            id=str(row.id),
            date=row.assigned_date,
            summary=f"Assigned to {who}",
            details={
                "user_name": who,
                "assignment_type": row.assignment_type,
                "reason": row.assignment_reason,
                "is_active": row.is_active,
                "returned_at": row.returned_date,
                "return_condition": row.return_condition,
                "return_notes": row.return_notes,
            },
        )
    ]
    if row.returned_date is not None:
        events.append(
            HistoryEvent(
                type="return",
                id=f"{row.id}_return",
                date=row.returned_date,
                summary=f"Returned by {who}",
                details={
                    "user_name": who,
                    "return_condition": row.return_condition,
                    "return_notes": row.return_notes,
                },
            )
        )
    return events


def _checkout(row: CheckoutRecord, who: str, now: datetime) -> list[HistoryEvent]:
    events = [
        HistoryEvent(
            type="checkout",
            id=str(row.id),
            date=row.checked_out_at,
            summary=f"Checked out to {who}",
            details={
                "user_name": who,
                "reason": row.checkout_reason,
                "expected_return": row.expected_return_at,
                "is_returned": row.is_returned,
                "is_overdue": is_overdue(row, now),
            },
        )
    ]
    if row.checked_in_at is not None:
        events.append(
            HistoryEvent(
                type="checkin",
                id=f"{row.id}_checkin",
                date=row.checked_in_at,
                summary=f"Checked in from {who}",
                details={
                    "user_name": who,
                    "return_condition": row.return_condition,
                    "damage_notes": row.damage_notes,
                },
            )
        )
    return events


def _issuance(row: ItemIssuance, who: str) -> list[HistoryEvent]:
    events = [
        HistoryEvent(
            type="issuance",
            id=str(row.id),
            date=row.issued_at,
            summary=f"Issued {row.quantity_issued} to {who}",
            details={
                "user_name": who,
                "quantity": row.quantity_issued,
                "reason": row.issue_reason,
                "is_returned": row.is_returned,
            },
        )
    ]
    if row.returned_at is not None:
        events.append(
            HistoryEvent(
                type="issuance_return",
                id=f"{row.id}_return",
                date=row.returned_at,
                summary=f"{row.quantity_issued} returned by {who}",
                details={
                    "user_name": who,
                    "quantity": row.quantity_issued,
                    "return_condition": row.return_condition,
                    "return_notes": row.return_notes,
                },
            )
        )
    return events
