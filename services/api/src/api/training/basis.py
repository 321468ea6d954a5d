"""What every compliance read of an organization starts from, kept in memory per organization:
its time zone and training settings, its active requirements and its members' active waivers
and leaves (spec training.md §5; addendum §2.2).

My Training, the busiest training page, read all of it on every request (four statements and
their rows, a third of the page's time), though it changes rarely. It is kept here instead, and
dropped by the events every instance follows (`start_training_basis`): a requirement created,
edited or deleted, a waiver granted or deactivated, a leave granted or deactivated, any change
of the organization's settings or profile (its time zone). This instance drops it as soon as its
own change commits, whichever module made it (shared/events/local.py); a follower that was
behind or disconnected drops every organization's once it has caught up
(what it missed is unknown); and nothing is older than `TTL_SECONDS`, for a change no event
reported (NATS unreachable). A member's records are not here: they change all day.
"""

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TypeVar
from uuid import UUID

import msgspec

from api.training.compliance import (
    Evaluation,
    Member,
    Record,
    Requirement,
    WaiverPeriod,
    applies,
    evaluate,
)
from api.training.schemas import Visibility
from shared.cache import LoadingCache
from shared.events.contracts.leaves import WaiverChanged
from shared.events.contracts.training import RequirementChanged
from shared.events.follower import followed_cache_hooks
from shared.models import RequirementFrequency, RequirementType, TrainingType

TTL_SECONDS = 60.0
# Bases kept at once: a few kB each (the requirements, the waivers and leaves in force).
ORGANIZATIONS = 64
# Followed by every instance; of the training events only these two change a basis (records,
# the library and sessions do not), of the leave and organization events every one may.
SUBJECTS = ("logbook.api.training.>", "logbook.api.leave.>", "logbook.api.organization.>")
_TRAINING_CHANGES = frozenset({RequirementChanged.subject, WaiverChanged.subject})
_ALL_CHANGE = ("logbook.api.leave.", "logbook.api.organization.")
R = TypeVar("R")


def changes_basis(subject: str) -> bool:
    """Whether an event of this subject may change its organization's basis."""
    return subject in _TRAINING_CHANGES or subject.startswith(_ALL_CHANGE)


@dataclass(frozen=True, slots=True)
class RequirementShown:
    """What the readers show of a requirement beside its verdict."""

    id: UUID
    name: str
    description: str | None
    requirement_type: RequirementType
    frequency: RequirementFrequency
    training_type: TrainingType | None


@dataclass(frozen=True)
class Standing:
    """The organization's local date and training settings, as of one request."""

    today: date
    include_current_month: bool
    visibility: Visibility

    def evaluate(
        self,
        requirements: Iterable[tuple[R, Requirement]],
        member: Member,
        records: Sequence[Record],
        periods: Sequence[WaiverPeriod],
    ) -> list[tuple[R, Evaluation]]:
        """The member's verdict on every requirement that applies to them (§5.1), in order."""
        return [
            (
                row,
                evaluate(
                    facts,
                    records,
                    self.today,
                    periods,
                    include_current_month_default=self.include_current_month,
                ),
            )
            for row, facts in requirements
            if applies(facts, member)
        ]


@dataclass(frozen=True)
class Terms:
    """The organization's time zone and training settings (§5.3, §4.4, §8.10)."""

    zone: tzinfo
    include_current_month: bool
    visibility: Visibility

    def standing(self) -> Standing:
        """The settings as of now: today in the organization's zone."""
        return Standing(datetime.now(self.zone).date(), self.include_current_month, self.visibility)


@dataclass(frozen=True)
class TrainingBasis:
    """One organization's terms, active requirements by name, and active waivers and leaves
    by member."""

    terms: Terms
    requirements: Sequence[tuple[RequirementShown, Requirement]]
    periods: Mapping[UUID, Sequence[WaiverPeriod]]


class _Heard(msgspec.Struct):
    """The two fields of an envelope a basis needs (the rest is not decoded)."""

    type: str
    organization_id: UUID | None = None


_decode = msgspec.json.Decoder(_Heard)


class BasisCache:
    """This instance's bases, by organization."""

    def __init__(
        self,
        *,
        ttl: float = TTL_SECONDS,
        organizations: int = ORGANIZATIONS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cache: LoadingCache[UUID, TrainingBasis] = LoadingCache(
            ttl=ttl, maxsize=organizations, timer=timer
        )

    async def get(
        self, organization_id: UUID, load: Callable[[], Awaitable[TrainingBasis]]
    ) -> TrainingBasis:
        """The organization's basis, read with `load` when this instance holds none."""
        return await self._cache.get(organization_id, load)

    def forget(self, organization_id: UUID) -> None:
        """Drop the organization's basis (and a load in flight): the next read loads it."""
        self._cache.forget(organization_id)

    def clear(self) -> None:
        """Drop every organization's basis."""
        self._cache.clear()

    def heard(self, payload: bytes) -> None:
        """Drop what an event from any instance may have changed (undecodable: ignored)."""
        try:
            heard = _decode.decode(payload)
        except msgspec.DecodeError:
            return
        if heard.organization_id is not None and changes_basis(heard.type):
            self.forget(heard.organization_id)

    async def close(self) -> None:
        await self._cache.close()


@dataclass(frozen=True)
class OrganizationBasis:
    """One request's handle on its organization's basis."""

    cache: BasisCache
    organization_id: UUID
    load: Callable[[], Awaitable[TrainingBasis]]

    async def get(self) -> TrainingBasis:
        return await self.cache.get(self.organization_id, self.load)


# This instance's bases (`app.state.training_basis`), fed by the stream while it runs.
start_training_basis, stop_training_basis = followed_cache_hooks(
    "training_basis", SUBJECTS, BasisCache, name="training-basis"
)
