"""Dashboard figures: each module contributes its own block of the administrators' summary."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import msgspec

from api.dashboard.repository import EventCountRepository, MemberCountRepository
from api.dashboard.schemas import PERIOD_LABELS, AdminSummaryRead, Period, StatsRead, WidgetsRead
from shared.db.types import utc_now

Figures = Mapping[str, int | float]
RECENT = timedelta(days=30)  # "recent" events: those that started in the last 30 days


class FigureSource(Protocol):
    """One module's fields of `AdminSummaryRead`, computed on its own."""

    async def figures(self) -> Figures:
        """The module's figures by summary field name."""
        ...


@dataclass
class MemberFigures:
    """Member counts: everyone not deleted, and how many of them are active."""

    members: MemberCountRepository

    async def figures(self) -> Figures:
        """Total, active and inactive (everyone else not deleted) members."""
        total, active = await self.members.counts()
        return {
            "total_members": total,
            "active_members": active,
            "inactive_members": total - active,
        }


@dataclass
class EventFigures:
    """Published, not cancelled events starting from now on."""

    events: EventCountRepository

    async def figures(self) -> Figures:
        """How many events are still to come."""
        return {"upcoming_events_count": await self.events.starting_between(utc_now())}


@dataclass
class DashboardService:
    """The dashboard of one caller's organization."""

    members: MemberCountRepository
    events: EventCountRepository
    # A module adds its figures by adding its source here (built in `deps.py`); fields no
    # source fills stay 0, as the spec asks for modules the backend does not serve yet.
    summary_sources: Sequence[FigureSource]

    @staticmethod
    def widgets(period: Period) -> WidgetsRead:
        """The widget blocks for `period`: all null until finance, grants or events land."""
        return WidgetsRead(period=period, period_label=PERIOD_LABELS[period])

    async def admin_summary(self) -> AdminSummaryRead:
        """Every source's figures in one summary."""
        figures: dict[str, int | float] = {}
        for source in self.summary_sources:
            figures.update(await source.figures())
        # `replace` refuses a field name the summary does not have.
        return msgspec.structs.replace(AdminSummaryRead(), **figures)

    async def stats(self) -> StatsRead:
        """Member totals and recent events; the other figures are fixed until their modules
        exist."""
        total, active = await self.members.counts()
        now = utc_now()
        recent = await self.events.starting_between(now - RECENT, now)
        return StatsRead(total_members=total, active_members=active, recent_events_count=recent)
