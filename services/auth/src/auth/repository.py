"""All SQL of the auth service: members, sessions, password history, reset links, MFA codes,
and the first administrator `logbook create-admin` writes."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from shared.models import AuthSession, Organization, PasswordHistory, User, UserPosition
from shared.models.auth import MfaRecoveryCode, PasswordResetToken


class MemberRepository:
    """Members as the auth service reads and updates them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find_for_login(self, identifier: str) -> User | None:
        """The member the identifier names, in the oldest active organization.

        With an `@` it is an email and matches emails only: a username that equals another
        member's address (earlier releases allowed `@` in usernames) must never take their
        sign-in. Without an `@` it can only be a username, as every email has one.
        """
        key = identifier.strip().lower()
        column = User.email_lower if "@" in key else User.username_lower
        stmt = (
            select(User)
            .join(Organization, Organization.id == User.organization_id)
            .where(Organization.active.is_(True), User.deleted_at.is_(None))
            .where(column == key)
            .order_by(Organization.created_at, User.created_at)
            .limit(1)
            .with_for_update()  # the failure counter is read-modify-write
            .options(selectinload(User.positions).joinedload(UserPosition.position))
        )
        return (await self._session.scalars(stmt)).first()

    async def get_with_positions(self, user_id: UUID) -> User | None:
        """A member with their roles loaded (for `/me` and permission checks)."""
        stmt = (
            select(User)
            .where(User.id == user_id)
            .options(selectinload(User.positions).joinedload(UserPosition.position))
        )
        return (await self._session.scalars(stmt)).first()

    async def get(self, user_id: UUID) -> User | None:
        """A member by id."""
        return await self._session.get(User, user_id)

    async def get_for_update(self, user_id: UUID) -> User | None:
        """A member, locked for a change of their credentials."""
        stmt = select(User).where(User.id == user_id).with_for_update()
        return (await self._session.scalars(stmt)).first()

    async def organization(self, organization_id: UUID) -> Organization | None:
        """The member's organization."""
        return await self._session.get(Organization, organization_id)

    async def oldest_active_organization(self) -> Organization | None:
        """ "The organization" of a single-department install."""
        stmt = select(Organization).where(Organization.active.is_(True))
        return (
            await self._session.scalars(stmt.order_by(Organization.created_at).limit(1))
        ).first()

    async def recent_password_hashes(self, user_id: UUID, count: int) -> Sequence[str]:
        """The member's last `count` earlier password hashes, newest first."""
        stmt = (
            select(PasswordHistory.password_hash)
            .where(PasswordHistory.user_id == user_id)
            .order_by(PasswordHistory.created_at.desc())
            .limit(count)
        )
        return (await self._session.scalars(stmt)).all()

    def remember_password(self, user_id: UUID, password_hash: str) -> None:
        """Push an outgoing hash into the history."""
        self._session.add(PasswordHistory(user_id=user_id, password_hash=password_hash))


@asynccontextmanager
async def member_reader(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[MemberRepository]:
    """Members read in a short session of its own (for loads that outlive one request)."""
    async with sessionmaker() as session:
        yield MemberRepository(session)


class SessionRepository:
    """Sign-in sessions; revoked rows stay so a reused refresh token finds its family."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, auth_session: AuthSession) -> None:
        """Record a new sign-in."""
        self._session.add(auth_session)

    async def get_for_update(self, session_id: UUID) -> AuthSession | None:
        """A session, locked: refreshes of one session must not interleave."""
        stmt = select(AuthSession).where(AuthSession.id == session_id).with_for_update()
        return (await self._session.scalars(stmt)).first()

    async def revoke_all(self, user_id: UUID, reason: str, now: datetime) -> list[UUID]:
        """Revoke every live session of a member; returns their ids."""
        live = select(AuthSession.id).where(
            AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
        )
        ids = list((await self._session.scalars(live)).all())
        if ids:
            await self._session.execute(
                update(AuthSession)
                .where(AuthSession.id.in_(ids))
                .values(revoked_at=now, revoke_reason=reason)
            )
        return ids


class ResetTokenRepository:
    """Reset links by the hash of their token."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, token: PasswordResetToken) -> None:
        """Record a new link."""
        self._session.add(token)

    async def add_written(self, token: PasswordResetToken) -> None:
        """Record a new link and write it at once (before its mail goes out)."""
        self._session.add(token)
        await self._session.flush()

    async def has_live(self, user_id: UUID, now: datetime) -> bool:
        """Whether the member has an unused link that has not expired."""
        stmt = select(PasswordResetToken.id).where(
            PasswordResetToken.user_id == user_id,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
        )
        return bool(await self._session.scalar(select(exists(stmt))))

    async def get_for_update(self, hashed: str) -> PasswordResetToken | None:
        """A link by its hash, locked: two resets with one link must not both succeed."""
        stmt = select(PasswordResetToken).where(PasswordResetToken.token_hash == hashed)
        return (await self._session.scalars(stmt.with_for_update())).first()

    async def mark_used(self, token_id: UUID, now: datetime) -> None:
        """Retire one link (an expired one, so the member asks for a new one)."""
        await self._session.execute(
            update(PasswordResetToken).where(PasswordResetToken.id == token_id).values(used_at=now)
        )

    async def retire_all(self, user_id: UUID, now: datetime) -> None:
        """Mark every unused link of the member used: a new password voids them all."""
        await self._session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
            .values(used_at=now)
        )


class OrganizationMemberRepository:
    """Members of one organization, as administrators act on them."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self._session = session
        self._organization_id = organization_id

    async def get_for_update(self, user_id: UUID) -> User | None:
        """A member of this organization with roles loaded; a foreign id finds nothing."""
        stmt = (
            select(User)
            .where(
                User.id == user_id,
                User.organization_id == self._organization_id,
                User.deleted_at.is_(None),
            )
            .with_for_update()
            .options(selectinload(User.positions).joinedload(UserPosition.position))
        )
        return (await self._session.scalars(stmt)).first()


class MfaRepository:
    """The SQL of MFA: recovery codes, and the member at the second sign-in step."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def member(self, user_id: UUID) -> User | None:
        """A member, for reading their MFA state."""
        return await self._session.get(User, user_id)

    async def organization(self, organization_id: UUID) -> Organization | None:
        """The member's organization, whose settings hold the MFA policy."""
        return await self._session.get(Organization, organization_id)

    async def member_for_update(self, user_id: UUID) -> User | None:
        """A member of an active organization, locked (the failure counter), roles loaded."""
        stmt = (
            select(User)
            .join(Organization, Organization.id == User.organization_id)
            .where(User.id == user_id, Organization.active.is_(True))
            .with_for_update()
            .options(selectinload(User.positions).joinedload(UserPosition.position))
        )
        return (await self._session.scalars(stmt)).first()

    async def recovery_codes(self, user_id: UUID) -> Sequence[MfaRecoveryCode]:
        """The member's unused recovery codes (hashes)."""
        stmt = select(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user_id)
        return (await self._session.scalars(stmt)).all()

    async def count_recovery_codes(self, user_id: UUID) -> int:
        """How many unused recovery codes the member has."""
        stmt = select(func.count()).where(MfaRecoveryCode.user_id == user_id)
        return int(await self._session.scalar(stmt) or 0)

    async def delete_recovery_codes(self, user_id: UUID) -> None:
        """Forget every recovery code of the member."""
        await self._session.execute(
            delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user_id)
        )

    async def replace_recovery_codes(self, user_id: UUID, hashes: Sequence[str]) -> None:
        """A new set of recovery codes instead of the old one."""
        await self.delete_recovery_codes(user_id)
        self._session.add_all(MfaRecoveryCode(user_id=user_id, code_hash=h) for h in hashes)
        await self._session.flush()

    async def use_recovery_code(self, code_id: UUID) -> bool:
        """Delete a code; False if a concurrent request used it first."""
        result = await self._session.execute(
            delete(MfaRecoveryCode).where(MfaRecoveryCode.id == code_id)
        )
        return cast(CursorResult[Any], result).rowcount == 1


class BootstrapRepository:
    """What `logbook create-admin` reads and writes, across organizations."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def username_or_email_taken(self, username: str, email: str) -> bool:
        """Whether any member, of any organization, has this username or email (any case)."""
        stmt = (
            select(User.username)
            .where(or_(User.username_lower == username.lower(), User.email_lower == email.lower()))
            .limit(1)
        )
        return await self._session.scalar(stmt) is not None

    async def organization_named(self, name: str) -> Organization | None:
        """The organization of this name, compared without case."""
        stmt = select(Organization).where(func.lower(Organization.name) == name.lower())
        return await self._session.scalar(stmt)

    async def organization_slug_taken(self, slug: str) -> bool:
        """Whether an organization already has this slug."""
        stmt = select(Organization.id).where(Organization.slug == slug)
        return await self._session.scalar(stmt) is not None

    async def add(self, row: Organization | User) -> None:
        """Insert the organization or member (flushed, so it has its id)."""
        self._session.add(row)
        await self._session.flush()

    def assign_role(self, user_id: UUID, position_id: UUID) -> None:
        """Give the member the role (written when the transaction commits)."""
        self._session.add(UserPosition(user_id=user_id, position_id=position_id))
