"""Reading members: the roster, the admin list, one profile (audited), history, impact."""

from uuid import UUID

import msgspec

from api.members.redaction import Visibility, access_of, discloses_restricted, redact
from api.members.schemas import (
    ArchivedMemberRead,
    ArchivedMembersRead,
    AuditHistoryEntry,
    ContactVisibility,
    DeletionImpactRead,
    MemberProfile,
    MemberWithRoles,
)
from api.members.service._base import MemberServiceBase
from api.members.service._history import describe, stored_types
from api.members.views import member_profile, member_with_roles, roster_item


class MemberReading(MemberServiceBase):
    """The member service's reads."""

    async def roster_json(self) -> bytes:
        """Every live member of any status as a JSON array; contact details as allowed."""
        settings, fingerprint = await self.members.roster_state()
        visibility = Visibility.from_settings(settings)
        key = (visibility, fingerprint)
        organization_id = self.principal.organization_id
        cached = self.rosters.get(organization_id, key)
        if cached is not None:
            return cached
        # Same transaction, same snapshot: the rows match the fingerprint read above.
        rows = await self.members.roster(
            email=visibility.email, phone=visibility.phone, mobile=visibility.mobile
        )
        roster = msgspec.json.encode([roster_item(row) for row in rows])
        self.rosters.put(organization_id, key, roster)
        return roster

    async def contact_visibility(self) -> ContactVisibility:
        """The organization's roster visibility setting."""
        return (await self._visibility()).read()

    async def directory(self) -> list[MemberWithRoles]:
        """Every live member with roles, redacted for this caller (never their own row)."""
        visibility = await self._visibility()
        principal = self.principal
        return [
            redact(member_with_roles(user), access_of(principal, user.id), visibility)
            for user in await self.members.all_with_roles()
        ]

    async def profile(self, user_id: UUID) -> MemberProfile:
        """One member's profile as this caller may see it; every view is audited."""
        user = await self._member(user_id)
        visibility = await self._visibility()
        shown = redact(member_profile(user), access_of(self.principal, user.id), visibility)
        await self.audit.record(
            "user_viewed",
            "user_management",
            viewed_user_id=str(user.id),
            viewed_username=user.username,
            restricted_pii_disclosed=discloses_restricted(shown),
        )
        return shown

    async def history(
        self, user_id: UUID, *, page: int, page_size: int, event_type: str | None
    ) -> list[AuditHistoryEntry]:
        """Audit entries about the member, newest first, one page of them."""
        await self._member(user_id)
        entries = await self.audit_history.about(
            user_id, stored_types(event_type), (page - 1) * page_size, page_size
        )
        return [
            AuditHistoryEntry(
                id=entry.id,
                timestamp=entry.timestamp,
                event_type=entry.event_type,
                severity=entry.severity,
                description=describe(entry.event_type, entry.event_data or {}),
                changed_by_username=entry.username,
                changed_by_user_id=entry.user_id,
                event_data=entry.event_data or {},
            )
            for entry in entries
        ]

    async def deletion_impact(self, user_id: UUID) -> DeletionImpactRead:
        """What deleting the member would touch (soft-deleted members are found too)."""
        user = await self._member(user_id, include_deleted=True)
        # Every assignment, checkout and issuance of the member, returned or not: a hard delete
        # takes them all with the member's row. Training and documents do not exist yet.
        inventory = await self.holdings.records(user.id)
        return DeletionImpactRead(
            user_id=user.id,
            full_name=user.full_name,
            status=user.status,
            inventory_items=inventory,
            total_records=inventory,
        )

    async def archived(self) -> ArchivedMembersRead:
        """The organization's archived members, newest archive first."""
        users = await self.members.archived()
        return ArchivedMembersRead(
            organization_id=self.principal.organization_id,
            archived_count=len(users),
            members=[
                ArchivedMemberRead(
                    user_id=user.id,
                    name=user.full_name,
                    email=user.email,
                    membership_number=user.membership_number,
                    rank=user.rank,
                    archived_at=user.archived_at,
                    status_change_reason=user.status_change_reason,
                )
                for user in users
            ],
        )
