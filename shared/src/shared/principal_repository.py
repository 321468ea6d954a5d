"""The reads authentication makes when its memory cannot answer: a session, a member's facts."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from shared.models import AuthSession, Organization, User, UserPosition


@dataclass(frozen=True)
class SessionRow:
    """Whose a session is and whether it ended."""

    user_id: UUID
    organization_id: UUID
    revoked_at: datetime | None


class PrincipalRepository:
    """Reads by primary key only, each cheap enough for an uncached request."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def session(self, session_id: UUID) -> SessionRow | None:
        """The sign-in session behind a token's `sid`, if it exists."""
        stmt = select(AuthSession.user_id, AuthSession.organization_id, AuthSession.revoked_at)
        row = (await self._session.execute(stmt.where(AuthSession.id == session_id))).first()
        return None if row is None else SessionRow(*row)

    async def member_with_positions(self, user_id: UUID) -> User | None:
        """The member with their roles loaded."""
        stmt = (
            select(User)
            .where(User.id == user_id)
            .options(selectinload(User.positions).joinedload(UserPosition.position))
        )
        return (await self._session.scalars(stmt)).first()

    async def organization(self, organization_id: UUID) -> Organization | None:
        """The member's organization."""
        return await self._session.get(Organization, organization_id)
