"""Member writes the database refuses, and refusals that must outlive their request.

In-process api on the worker's MariaDB with real transactions (`signed_in.py`), so a record
written in a transaction of its own is seen surviving the refused request's rollback.
"""

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from api.members.errors import DuplicateMemberError, HardDeleteBlockedError
from api.members.service import MemberService
from shared.db.integrity import ClashError, ClashKind
from shared.models import AuditLog, OutboxMessage, User
from tests.api.signed_in import SignedInOrganization, signed_in_organization  # noqa: F401

USERS = "/api/v1/users"


class _RefusingMembers:
    """A member repository whose writes meet the given clash."""

    def __init__(self, clash: ClashError) -> None:
        self.clash = clash

    async def flush(self) -> None:
        raise self.clash

    async def delete(self, _: User) -> None:
        raise self.clash


def _service(clash: ClashError) -> MemberService:
    """A member service whose repository refuses every write with `clash`."""
    service = MemberService.__new__(MemberService)
    service.members = _RefusingMembers(clash)  # type: ignore[assignment]
    return service


@pytest.mark.parametrize(
    ("columns", "detail"),
    [
        (("organization_id", "email_lower"), "A member with this email already exists"),
        (("organization_id", "username_lower"), "A member with this username already exists"),
        (
            ("organization_id", "membership_number_key"),
            "A member with this membership number already exists",
        ),
        ((), "A member with these details already exists"),
    ],
)
async def test_a_unique_clash_at_write_is_the_409_naming_its_field(
    columns: tuple[str, ...], detail: str
) -> None:
    with pytest.raises(DuplicateMemberError) as raised:
        await _service(ClashError(ClashKind.UNIQUE, columns))._write()
    assert raised.value.message == detail


@pytest.mark.parametrize("kind", [ClashKind.REFERENCED, ClashKind.FOREIGN_KEY])
async def test_a_row_still_referenced_blocks_the_hard_delete(kind: ClashKind) -> None:
    with pytest.raises(HardDeleteBlockedError):
        await _service(ClashError(kind))._remove(User())


async def test_a_missing_parent_is_not_taken_for_a_duplicate() -> None:
    with pytest.raises(ClashError):
        await _service(ClashError(ClashKind.MISSING))._write()


async def _count(org: SignedInOrganization, *where: Any) -> int:
    async with org.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(User).where(*where)) or 0)


async def test_a_refused_escalation_is_audited_apart_and_the_request_changes_nothing(
    org: SignedInOrganization,
) -> None:
    _, secretary = await org.member("secretary")
    username = f"esc{uuid.uuid4().hex[:10]}"
    body = {
        "username": username,
        "email": f"{username}@station9.example.org",
        "first_name": "Esca",
        "last_name": "Lation",
        "rank": "fire_chief",
    }
    response = await org.api.post(USERS, json=body, headers=secretary)
    assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001")
    assert await _count(org, User.username == username) == 0
    async with org.sessions() as session:
        entries = (
            await session.scalars(
                select(AuditLog).where(
                    AuditLog.organization_id == org.organization_id,
                    AuditLog.event_type == "privilege_escalation_blocked",
                )
            )
        ).all()
        events = [
            json.loads(payload)
            for payload in await session.scalars(
                select(OutboxMessage.payload).where(
                    OutboxMessage.subject.like("%privilege_escalation_blocked")
                )
            )
        ]
    assert [(e.severity, e.event_data["target"]) for e in entries] == [
        ("critical", "rank:fire_chief")
    ]
    assert any(e["organization_id"] == str(org.organization_id) for e in events)
