"""Tenant scoping every repository starts from: a row of another organization does not exist."""

from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped


class TenantOwned(Protocol):
    """A model with an `organization_id` and an `id` column."""

    id: Mapped[Any]
    organization_id: Mapped[Any]


M = TypeVar("M", bound=TenantOwned)


class TenantRepository(Generic[M]):
    """Queries of one model, always filtered to one organization."""

    model: type[M]

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self.session = session
        self.organization_id = organization_id

    def scoped(self) -> Select[M]:
        """`SELECT model WHERE organization_id = <the caller's>`: start every query here."""
        return select(self.model).where(self.model.organization_id == self.organization_id)

    async def get(self, row_id: UUID) -> M | None:
        """The row with this id in this organization, else None (foreign ids look missing)."""
        return (await self.session.scalars(self.scoped().where(self.model.id == row_id))).first()
