"""Read-only rows compliance is computed from (spec training.md §4.4, §4.5, §5; addendum §2.2):
members with their roles, records as the engine's facts, active waivers and leaves.

Each read is a fixed number of statements whatever the number of members, so the matrix costs
a constant number of queries (issue 14 bench target).
"""

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVarTuple, overload
from uuid import UUID

from sqlalchemy import ColumnElement, CursorResult, Select, String, bindparam, select, type_coerce

from api.training.compliance import Member, Record, WaiverPeriod, uuid_set
from shared.db.repository import TenantRepository
from shared.models import (
    MemberLeaveOfAbsence,
    MemberStatus,
    TrainingRecord,
    TrainingStatus,
    TrainingType,
    TrainingWaiver,
    User,
    UserPosition,
)

# What the engine reads of a record; `_RECORD_COLUMNS` adds the id a caller finds it by again.
_FACT_COLUMNS = (
    TrainingRecord.status,
    TrainingRecord.completion_date,
    TrainingRecord.expiration_date,
    TrainingRecord.hours_completed,
    TrainingRecord.training_type,
    # Read as stored and made UUIDs once each (`_Ids`): the matrix reads every record of the
    # organization, and these few ids repeat across all of them.
    type_coerce(TrainingRecord.course_id, String),
    TrainingRecord.course_name,
    type_coerce(TrainingRecord.category_id, String),
    TrainingRecord.certification_number,
    type_coerce(TrainingRecord.user_id, String),
)
_RECORD_COLUMNS = (*_FACT_COLUMNS, TrainingRecord.id)

Columns = TypeVarTuple("Columns")
# The statements the matrix's records are read in (`records_in_turn`).
MEMBER_SLICES = 4

# One line of My Training's history, in the order of its schema's fields (`MyRecord`).
History = tuple[
    UUID, str, str | None, TrainingType, TrainingStatus, date | None, float, date | None, str | None
]


class _Ids:
    """Stored ids as UUIDs, each distinct one made once."""

    def __init__(self) -> None:
        self._made: dict[str, UUID] = {}

    @overload
    def __call__(self, stored: str) -> UUID: ...
    @overload
    def __call__(self, stored: str | None) -> UUID | None: ...
    def __call__(self, stored: str | None) -> UUID | None:
        if stored is None:
            return None
        made = self._made.get(stored)
        if made is None:
            made = self._made[stored] = UUID(stored)
        return made


@dataclass(frozen=True)
class Person:
    """A member as compliance reads them: their name, tier, exemption and roles."""

    id: UUID
    first_name: str | None
    last_name: str | None
    username: str
    membership_type: str | None
    compliance_exempt: bool
    role_ids: frozenset[UUID] = frozenset()

    @property
    def facts(self) -> Member:
        """What applicability reads (§5.1)."""
        return Member(
            membership_type=self.membership_type,
            role_ids=self.role_ids,
            compliance_exempt=self.compliance_exempt,
        )

    @property
    def sort_name(self) -> str:
        """ "Last, First", or the username when the member has no name (§4.5)."""
        parts = [part for part in (self.last_name, self.first_name) if part]
        return ", ".join(parts) or self.username


_PERSON_COLUMNS = (
    User.id,
    User.first_name,
    User.last_name,
    User.username,
    User.membership_type,
    User.compliance_exempt,
)

# My Training's two statements and the matrix's records, built once with their parameters
# bound at each run: building a statement and computing its cache key cost about as much as
# running it, on every request.
# One member with a row per role they hold (their columns repeated, a None role when none).
_PERSON = (
    select(*_PERSON_COLUMNS, UserPosition.position_id)
    .outerjoin(UserPosition, UserPosition.user_id == User.id)
    .where(
        User.organization_id == bindparam("organization_id"),
        User.id == bindparam("user_id"),
        User.deleted_at.is_(None),
    )
)
# One member's records of any status, newest completion first, undated last.
_MEMBER_RECORDS = (
    select(*_RECORD_COLUMNS, TrainingRecord.course_code, TrainingRecord.instructor)
    .where(
        TrainingRecord.organization_id == bindparam("organization_id"),
        TrainingRecord.user_id == bindparam("user_id"),
    )
    .order_by(
        TrainingRecord.completion_date.is_(None),
        TrainingRecord.completion_date.desc(),
        TrainingRecord.created_at.desc(),
        TrainingRecord.id,
    )
)
# Some members' records that count (voided ones left out), one member after another.
_SLICE_RECORDS = (
    select(*_FACT_COLUMNS)
    .where(
        TrainingRecord.organization_id == bindparam("organization_id"),
        TrainingRecord.status != TrainingStatus.CANCELLED,
        TrainingRecord.user_id.in_(bindparam("user_ids", expanding=True)),
    )
    .order_by(TrainingRecord.user_id)
)


class ComplianceRepository(TenantRepository[TrainingRecord]):
    """Members, records, waivers and leaves of the caller's organization, read only."""

    model = TrainingRecord

    async def person(self, user_id: UUID) -> Person | None:
        """The organization's member (any status, not deleted) with their roles, else None."""
        rows = (await self._run(_PERSON, user_id=user_id)).all()
        if not rows:
            return None
        roles = frozenset(row.position_id for row in rows if row.position_id is not None)
        person_id, first_name, last_name, username, membership_type, exempt, _ = rows[0]
        return Person(
            person_id, first_name, last_name, username, membership_type, exempt, role_ids=roles
        )

    async def roster(self) -> list[Person]:
        """Active, non-exempt, not deleted members by last name, first name (§4.5 matrix)."""
        return await self._people(
            User.status == MemberStatus.ACTIVE, User.compliance_exempt.is_(False)
        )

    async def people(self, user_ids: Iterable[UUID]) -> dict[UUID, Person]:
        """The organization's members among these ids (not deleted), by id."""
        ids = set(user_ids)
        if not ids:
            return {}
        return {person.id: person for person in await self._people(User.id.in_(ids))}

    async def _people(self, *conditions: ColumnElement[bool]) -> list[Person]:
        stmt = (
            select(*_PERSON_COLUMNS)
            .where(
                User.organization_id == self.organization_id,
                User.deleted_at.is_(None),
                *conditions,
            )
            .order_by(User.last_name, User.first_name, User.username, User.id)
        )
        rows = (await self.session.execute(stmt)).all()
        roles = await self._roles([row.id for row in rows])
        return [Person(*row, role_ids=frozenset(roles.get(row.id, ()))) for row in rows]

    async def _roles(self, user_ids: list[UUID]) -> dict[UUID, set[UUID]]:
        if not user_ids:
            return {}
        # The members were read in this organization, so their role rows are its own.
        stmt = select(UserPosition.user_id, UserPosition.position_id).where(
            UserPosition.user_id.in_(user_ids)
        )
        held: dict[UUID, set[UUID]] = defaultdict(set)
        for user_id, position_id in await self.session.execute(stmt):
            held[user_id].add(position_id)
        return held

    async def records_of(self, user_id: UUID) -> list[Record]:
        """Every record of one member, as the engine's facts."""
        return (await self.records_by_member([user_id])).get(user_id, [])

    async def records_by_member(self, user_ids: Iterable[UUID]) -> dict[UUID, list[Record]]:
        """Records of these members, as the engine's facts; voided ones never count anywhere
        and are left out."""
        ids = set(user_ids)
        if not ids:
            return {}
        stmt = select(*_RECORD_COLUMNS).where(
            TrainingRecord.organization_id == self.organization_id,
            TrainingRecord.status != TrainingStatus.CANCELLED,
            TrainingRecord.user_id.in_(ids),
        )
        found: dict[UUID, list[Record]] = defaultdict(list)
        as_uuid = _Ids()
        for row in await self.session.execute(stmt):
            found[as_uuid(row[9])].append(_record(row, as_uuid, row[10]))
        return found

    async def records_in_turn(
        self, user_ids: Sequence[UUID]
    ) -> AsyncIterator[tuple[UUID, list[Record]]]:
        """The records of these members (voided ones left out) as the engine's facts without
        their ids, one member at a time, read in `MEMBER_SLICES` statements of a slice of the
        members each (some empty when there are fewer members), whatever their number.

        So that the organization's whole history is never in memory at once: the driver
        receives and parses a statement's whole result before its first row is read, and the
        matrix's 20,000 records read at once raised the api's resident memory by 25 MB (the
        ids, unused there, cost a tenth of a row)."""
        size = -(-len(user_ids) // MEMBER_SLICES)  # rounded up
        as_uuid = _Ids()
        for n in range(MEMBER_SLICES):  # as many statements however few the members
            rows = await self._run(_SLICE_RECORDS, user_ids=user_ids[n * size : (n + 1) * size])
            member: UUID | None = None
            held: list[Record] = []
            for row in rows:
                user_id = as_uuid(row[9])
                if user_id != member:
                    if member is not None:
                        yield member, held
                    member, held = user_id, []
                held.append(_record(row, as_uuid))
            if member is not None:
                yield member, held

    async def member_records(
        self, user_id: UUID, latest: int
    ) -> tuple[list[Record], list[History]]:
        """One member's records as the engine's facts (voided ones left out) and, for My
        Training's history, their `latest` records of any status: newest completion first,
        undated last. One statement for both (each round trip is a share of the page's time)."""
        records: list[Record] = []
        history: list[History] = []
        as_uuid = _Ids()
        for row in await self._run(_MEMBER_RECORDS, user_id=user_id):
            status, done, expires, hours, kind, _, name, _, _, _, row_id, code, instructor = row
            if len(history) < latest:
                history.append((row_id, name, code, kind, status, done, hours, expires, instructor))
            if status != TrainingStatus.CANCELLED:
                records.append(_record(row, as_uuid, row_id))
        return records, history

    async def _run(
        self, statement: Select[*Columns], **parameters: object
    ) -> CursorResult[*Columns]:
        """A statement built once, run in the organization with these parameters, its rows read
        by SQLAlchemy Core (the ORM's handling of a result is for loading entities, not
        needed for columns)."""
        connection = await self.session.connection()
        return await connection.execute(
            statement, {"organization_id": self.organization_id, **parameters}
        )

    async def expiring(self, last: date, user_id: UUID | None = None) -> Sequence[TrainingRecord]:
        """Completed records expiring on or before `last` (the expired included), soonest
        first, of one member or of the organization."""
        stmt = self.scoped().where(
            TrainingRecord.status == TrainingStatus.COMPLETED,
            TrainingRecord.expiration_date.is_not(None),
            TrainingRecord.expiration_date <= last,
        )
        if user_id is not None:
            stmt = stmt.where(TrainingRecord.user_id == user_id)
        stmt = stmt.order_by(
            TrainingRecord.expiration_date, TrainingRecord.course_name, TrainingRecord.id
        )
        return (await self.session.scalars(stmt)).all()

    async def periods(self, user_ids: Iterable[UUID] | None) -> dict[UUID, list[WaiverPeriod]]:
        """Active training waivers and active leaves of these members (every member when
        None), as waived periods; a leave exempt from training waivers is marked so and the
        engine skips it (addendum §2.2 #1)."""
        ids = None if user_ids is None else set(user_ids)
        if ids is not None and not ids:
            return {}
        found: dict[UUID, list[WaiverPeriod]] = defaultdict(list)
        waivers = select(
            TrainingWaiver.user_id,
            TrainingWaiver.start_date,
            TrainingWaiver.end_date,
            TrainingWaiver.requirement_ids,
        ).where(
            TrainingWaiver.organization_id == self.organization_id,
            TrainingWaiver.active.is_(True),
        )
        if ids is not None:
            waivers = waivers.where(TrainingWaiver.user_id.in_(ids))
        for user_id, start, end, requirement_ids in await self.session.execute(waivers):
            found[user_id].append(
                WaiverPeriod(start, end, requirement_ids=uuid_set(requirement_ids) or None)
            )
        leaves = select(
            MemberLeaveOfAbsence.user_id,
            MemberLeaveOfAbsence.start_date,
            MemberLeaveOfAbsence.end_date,
            MemberLeaveOfAbsence.exempt_from_training_waiver,
        ).where(
            MemberLeaveOfAbsence.organization_id == self.organization_id,
            MemberLeaveOfAbsence.active.is_(True),
        )
        if ids is not None:
            leaves = leaves.where(MemberLeaveOfAbsence.user_id.in_(ids))
        for user_id, start, end, exempt in await self.session.execute(leaves):
            found[user_id].append(WaiverPeriod(start, end, training_exempt=exempt))
        return found


def _record(row: Sequence[Any], as_uuid: _Ids, row_id: UUID | None = None) -> Record:
    """The engine's facts of one row read with `_FACT_COLUMNS` first, and its id if read."""
    status, done, expires, hours, kind, course, name, category, number, held = row[:10]
    return Record(
        status=status,
        completion_date=done,
        expiration_date=expires,
        hours_completed=hours,
        training_type=kind,
        course_id=as_uuid(course),
        course_name=name,
        category_id=as_uuid(category),
        certification_number=number,
        user_id=as_uuid(held),
        id=row_id,
    )
