"""Notification rules: the member's own inbox, the send log's privacy, rules as switches."""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from uuid import UUID

import msgspec

from api.audit.trail import AuditTrail
from api.notifications.errors import NotificationNotFoundError, RuleNotFoundError
from api.notifications.repository import LogFilter, NotificationLogRepository, RuleRepository
from api.notifications.schemas import NotificationSummary, RuleCreate, RuleUpdate
from shared.db.types import utc_now
from shared.events.contracts.notifications import InboxesChanged
from shared.events.outbox import Outbox
from shared.models import NotificationChannel, NotificationLog, NotificationRule
from shared.models.notifications import NotificationTrigger, RuleCategory
from shared.permissions import grants_any
from shared.principal import MemberCache, Principal

MANAGE = ("notifications.manage",)
CHANNELS = {channel.value for channel in NotificationChannel}
CATEGORIES = {category.value for category in RuleCategory}
# Kept in the member cache for a minute, dropped on every instance when the member's inbox
# changes (InboxesChanged); an entry reaching its expiry is uncounted within that minute.
UNREAD = "notifications.unread_count"
# Triggers something sends on (addendum §5.3): the events and training modules add
# event_reminder and training_expiry when they land; until then every rule is stored only.
ENFORCED_TRIGGERS: frozenset[NotificationTrigger] = frozenset()


def is_enforced(rule: NotificationRule) -> bool:
    """Whether any sender reads the rule's trigger."""
    return rule.trigger in ENFORCED_TRIGGERS


@dataclass
class UnreadCounter:
    """The caller's unread count, answered from the member cache between inbox changes.

    Polled by every open tab: it needs no request session, audit trail or outbox.
    """

    principal: Principal
    member_cache: MemberCache
    # Counts in a session of its own: the load is shared by every request waiting on it.
    count_apart: Callable[[LogFilter], Awaitable[int]]

    async def unread_count(self) -> int:
        """The caller's unread, unexpired in-app notifications."""
        user_id = self.principal.user_id
        count = await self.member_cache.remembered(user_id, UNREAD, partial(self._count, user_id))
        return count or 0

    async def _count(self, user_id: UUID) -> int:
        where = LogFilter(
            recipient_id=user_id,
            channel=NotificationChannel.IN_APP,
            include_read=False,
            unexpired_at=utc_now(),
        )
        return await self.count_apart(where)


@dataclass
class NotificationService:
    """Notifications and rules of one caller's organization."""

    logs: NotificationLogRepository
    rules: RuleRepository
    audit: AuditTrail
    outbox: Outbox
    principal: Principal
    # Drops the members' cached unread counts on this instance once the change commits.
    forget_after_commit: Callable[[Iterable[UUID]], None]

    @property
    def _log_scope(self) -> LogFilter:
        """The send log a caller sees: everyone's for managers, else only their own (§5.1 [fix])."""
        if grants_any(self.principal.permissions, MANAGE):
            return LogFilter(recipient_id=None)
        return LogFilter(recipient_id=self.principal.user_id)

    async def inbox(
        self, *, include_expired: bool, include_read: bool, skip: int, limit: int
    ) -> tuple[Sequence[NotificationLog], int]:
        """A page of the caller's inbox, newest first."""
        where = LogFilter(
            recipient_id=self.principal.user_id,
            channel=NotificationChannel.IN_APP,
            include_read=include_read,
            unexpired_at=None if include_expired else utc_now(),
        )
        return await self.logs.page(where, skip=skip, limit=limit)

    async def mark_read(self, log_id: UUID) -> NotificationLog:
        """Mark one of the caller's inbox entries read (404 for anyone else's)."""
        return await self._read(log_id, self._own_inbox)

    async def mark_all_read(self) -> int:
        """Mark every unread inbox entry of the caller read, expired ones included."""
        return await self._mark_all(self._own_inbox)

    async def pin(self, log_id: UUID, *, pinned: bool) -> NotificationLog:
        """Pin or unpin one of the caller's inbox entries."""
        entry = await self._found(log_id, self._own_inbox)
        entry.pinned = pinned
        return entry

    async def send_log(
        self, *, channel: str | None, skip: int, limit: int
    ) -> tuple[Sequence[NotificationLog], int]:
        """A page of the send log the caller may see; an unknown channel filters nothing."""
        scope = self._log_scope
        if channel is not None and channel.lower() in CHANNELS:
            scope = replace(scope, channel=NotificationChannel(channel.lower()))
        return await self.logs.page(scope, skip=skip, limit=limit)

    async def mark_log_read(self, log_id: UUID) -> NotificationLog:
        """Mark one notification of the visible log read."""
        return await self._read(log_id, self._log_scope)

    async def mark_log_all_read(self) -> int:
        """Mark the visible log read: the organization's for managers, else the caller's."""
        return await self._mark_all(self._log_scope)

    async def summary(self) -> NotificationSummary:
        """Rule counts and this month's sends (in-app only, so email is not counted twice)."""
        total, active = await self.rules.counts()
        month = _month_start(utc_now())
        return NotificationSummary(
            total_rules=total,
            active_rules=active,
            emails_sent_this_month=await self.logs.sent_since(NotificationChannel.EMAIL, month),
            notifications_sent_this_month=await self.logs.sent_since(
                NotificationChannel.IN_APP, month
            ),
        )

    async def list_rules(
        self, *, category: str | None, enabled: bool | None, search: str | None
    ) -> Sequence[NotificationRule]:
        """Rules by name; an unknown category filters nothing (addendum §5.1)."""
        known = category.lower() if category else None
        return await self.rules.search(
            category=RuleCategory(known) if known in CATEGORIES else None,
            enabled=enabled,
            search=search,
        )

    async def get_rule(self, rule_id: UUID) -> NotificationRule:
        """One rule (404 when missing or foreign)."""
        found = await self.rules.get(rule_id)
        if found is None:
            raise RuleNotFoundError
        return found

    async def create_rule(self, request: RuleCreate) -> NotificationRule:
        """A new rule of the caller's organization."""
        rule = NotificationRule(
            organization_id=self.principal.organization_id,
            created_by=self.principal.user_id,
            **msgspec.structs.asdict(request),
        )
        await self.rules.add(rule)
        await self._record("notification_rule_created", rule)
        return rule

    async def update_rule(self, rule_id: UUID, request: RuleUpdate) -> NotificationRule:
        """Set the fields sent; null and absent fields stay as they are."""
        rule = await self._locked_rule(rule_id)
        changes = {
            key: value
            for key, value in msgspec.structs.asdict(request).items()
            if value is not msgspec.UNSET and value is not None
        }
        for key, value in changes.items():
            setattr(rule, key, value)
        await self.rules.save()
        await self._record("notification_rule_updated", rule, fields_changed=sorted(changes))
        return rule

    async def toggle_rule(self, rule_id: UUID, *, enabled: bool) -> NotificationRule:
        """Switch a rule on or off."""
        rule = await self._locked_rule(rule_id)
        rule.enabled = enabled
        await self.rules.save()
        await self._record("notification_rule_toggled", rule, enabled=enabled)
        return rule

    async def delete_rule(self, rule_id: UUID) -> None:
        """Delete a rule; the notifications it produced stay in the log."""
        rule = await self._locked_rule(rule_id)
        await self.rules.delete(rule)
        await self._record("notification_rule_deleted", rule)

    @property
    def _own_inbox(self) -> LogFilter:
        return LogFilter(recipient_id=self.principal.user_id, channel=NotificationChannel.IN_APP)

    async def _found(self, log_id: UUID, scope: LogFilter) -> NotificationLog:
        found = await self.logs.get_for_update(log_id, scope)
        if found is None:
            raise NotificationNotFoundError
        return found

    async def _read(self, log_id: UUID, scope: LogFilter) -> NotificationLog:
        entry = await self._found(log_id, scope)
        if not entry.read:
            entry.read = True
            entry.read_at = utc_now()
            self._inboxes_changed([entry.recipient_id] if entry.recipient_id else [])
        return entry

    async def _mark_all(self, scope: LogFilter) -> int:
        marked, recipients = await self.logs.mark_all_read(scope, utc_now())
        self._inboxes_changed(recipients)
        return marked

    def _inboxes_changed(self, user_ids: list[UUID]) -> None:
        """Drop the members' cached unread counts here after commit, and on other instances."""
        if not user_ids:
            return
        self.forget_after_commit(user_ids)
        self.outbox.add(
            InboxesChanged(user_ids=user_ids, change="read"),
            organization_id=self.principal.organization_id,
            actor_id=self.principal.user_id,
        )

    async def _locked_rule(self, rule_id: UUID) -> NotificationRule:
        found = await self.rules.get_for_update(rule_id)
        if found is None:
            raise RuleNotFoundError
        return found

    async def _record(self, event_type: str, rule: NotificationRule, **details: object) -> None:
        await self.audit.record(
            event_type,
            "administration",
            "info",
            rule_id=str(rule.id),
            rule_name=rule.name,
            trigger=str(rule.trigger),
            **details,
        )


def _month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
