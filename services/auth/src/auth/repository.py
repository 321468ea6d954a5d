"""All SQL of the auth service: members by login name, sessions, password history."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from shared.models import AuthSession, Organization, PasswordHistory, User, UserPosition


class MemberRepository:
    """Members as the auth service reads and updates them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find_for_login(self, identifier: str) -> User | None:
        """The member whose username or email matches, in the oldest active organization."""
        key = identifier.strip().lower()
        stmt = (
            select(User)
            .join(Organization, Organization.id == User.organization_id)
            .where(Organization.active.is_(True), User.deleted_at.is_(None))
            .where(or_(User.username_lower == key, User.email_lower == key))
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

    async def get(self, session_id: UUID) -> AuthSession | None:
        """A session by id (the access token's `sid`)."""
        return await self._session.get(AuthSession, session_id)

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
