"""The request-scoped audit writer against MariaDB: when an append fails, nothing else is lost."""

import asyncio
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.audit.chain import AuditRecord, append
from api.audit.trail import AuditTrail
from shared.models import AuditChainHead, Organization, OutboxMessage, User
from tests.support.waiting import POLL_SECONDS

KEY = b"test-audit-signing-key-0123456789abcdef"


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def _department(maker: async_sessionmaker[AsyncSession]) -> tuple[uuid.UUID, uuid.UUID]:
    """An organization with one member and a started audit chain."""
    async with maker() as session:
        organization = Organization(name="Deadlock FD", slug=f"dl-{uuid.uuid4().hex[:10]}")
        session.add(organization)
        await session.flush()
        member = User(
            organization_id=organization.id,
            username=f"m{uuid.uuid4().hex[:10]}",
            email=f"{uuid.uuid4().hex[:10]}@station9.example.org",
            first_name="Before",
        )
        session.add(member)
        await append(session, KEY, AuditRecord(organization.id, "genesis", "test"))
        await session.commit()
        return organization.id, member.id


async def waiting_for_a_lock(sessions: async_sessionmaker[AsyncSession], thread: int) -> None:
    """Return once the connection's transaction waits for a row lock (fails after 10 s)."""
    state = text(
        "SELECT trx_state FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = :id"
    )
    async with sessions() as probe:
        for _ in range(500):
            if await probe.scalar(state, {"id": thread}) == "LOCK WAIT":
                return
            await probe.rollback()  # a fresh snapshot of the server's transactions
            await asyncio.sleep(POLL_SECONDS)
    pytest.fail("the append never waited for the chain's head row")


async def test_a_deadlocked_append_fails_the_request_instead_of_losing_its_change(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    organization_id, member_id = await _department(sessions)
    context = AuditRecord(organization_id, "", "", request_id="req-deadlock")
    async with sessions() as request, sessions() as other:
        # The request changes a member, then audits it (waiting for the chain's head row).
        await request.execute(update(User).where(User.id == member_id).values(first_name="Changed"))
        # Another transaction, heavier (so InnoDB picks the request as the victim), holds the
        # head row and then wants the member row: a deadlock.
        for _ in range(30):
            other.add(
                OutboxMessage(
                    id=uuid.uuid4(), subject="logbook.test.dead.lock", payload=b"{}", attempts=0
                )
            )
        await other.flush()
        await other.get(AuditChainHead, organization_id, with_for_update=True)
        request_thread = await request.scalar(text("SELECT CONNECTION_ID()"))
        trail = AuditTrail(request, KEY, replace(context))
        audit = asyncio.create_task(trail.record("user_profile_updated", "user_management"))
        await waiting_for_a_lock(sessions, request_thread)  # the append waits for the head row
        await other.execute(update(User).where(User.id == member_id).values(last_name="Other"))
        with pytest.raises(OperationalError):
            await audit
        await other.rollback()
    async with sessions() as check:
        deferred = await check.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.subject == "logbook.api.audit.deferred",
                OutboxMessage.request_id == "req-deadlock",
            )
        )
    # The request fails whole (503, the client retries); no deferred entry claims it happened.
    assert deferred is None
