"""Member writes the database refuses, and refusals that must outlive their request.

In-process api on the worker's MariaDB with real transactions (`org_own_app` in signed_in.py),
so a record written in a transaction of its own is seen surviving the refused request's rollback.
"""

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app as create_api
from api.members.errors import DuplicateMemberError, HardDeleteBlockedError
from api.members.service import MemberService
from shared.db.encrypted import install_field_key
from shared.db.integrity import ClashError, ClashKind
from shared.db.session import create_engine, create_sessionmaker
from shared.models import AuditLog, OutboxMessage, Position, User, UserPosition

# `org` on an app of its own: on the shared app, a record written apart is one more savepoint in
# the test's transaction, not a commit of its own, and could not be seen outliving the request.
from tests.api.signed_in import (  # noqa: F401 - the fixtures
    SignedInOrganization,
    org_on_own_app,
    own_app_organization,
)
from tests.conftest import NO_NATS, settings_for
from tests.support import factories
from tests.support.client import app_client

USERS = "/api/v1/users"
BUSY_WAIT_SECONDS = 10  # well under SQLite's 30 s busy timeout: a wait for the lock shows


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


@pytest.fixture
async def sqlite_department(
    migrated_sqlite_url: str,
) -> AsyncIterator[tuple[httpx.AsyncClient, async_sessionmaker[AsyncSession], dict[str, Any]]]:
    """The api in-process on SQLite with real transactions (one writer holds the file at a
    time), an organization, a secretary signed in and a member to change."""
    settings = settings_for(migrated_sqlite_url, nats_url=NO_NATS)
    install_field_key(settings)
    engine = create_engine(migrated_sqlite_url)
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        organization = await factories.organization(session)
        secretary = await factories.member(session, organization.id, ["secretary"])
        target = await factories.member(session, organization.id, ["member"])
        headers = await factories.session_headers(session, settings, secretary)
        chief = await session.scalar(
            select(Position.id).where(
                Position.organization_id == organization.id, Position.slug == "fire_chief"
            )
        )
        await session.commit()
    facts = {"organization_id": organization.id, "target": target.id, "chief_role": chief}
    try:
        async with app_client(create_api(settings, sessionmaker=sessions)) as api:
            api.headers.update(headers)
            yield api, sessions, facts
    finally:
        await engine.dispose()


async def test_on_sqlite_a_refusal_after_a_locking_read_is_recorded_without_waiting(
    sqlite_department: tuple[httpx.AsyncClient, async_sessionmaker[AsyncSession], dict[str, Any]],
) -> None:
    api, sessions, facts = sqlite_department
    started = time.monotonic()
    response = await api.put(
        f"{USERS}/{facts['target']}/roles", json={"role_ids": [str(facts["chief_role"])]}
    )
    assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001")
    assert time.monotonic() - started < BUSY_WAIT_SECONDS  # no wait for the file's write lock
    async with sessions() as session:
        targets = list(
            await session.scalars(
                select(AuditLog.event_data).where(
                    AuditLog.organization_id == facts["organization_id"],
                    AuditLog.event_type == "privilege_escalation_blocked",
                )
            )
        )
        held = await session.scalars(
            select(UserPosition.position_id).where(UserPosition.user_id == facts["target"])
        )
        assert facts["chief_role"] not in set(held)
    assert [data["target"] for data in targets] == [f"role:{facts['chief_role']}"]
