"""Routes under /api/v1/notifications (app-shell spec §2.2-§2.3, addendum §5)."""

from collections.abc import Sequence
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from api.deps import COMMON_DEPENDENCIES
from api.notifications.deps import provide_notification_service, provide_unread_counter
from api.notifications.permissions import MANAGE, VIEW, signed_in
from api.notifications.schemas import (
    MarkedRead,
    NotificationLogRead,
    NotificationPage,
    NotificationSummary,
    PushConfig,
    RuleCreate,
    RuleList,
    RuleRead,
    RuleUpdate,
    UnreadCount,
)
from api.notifications.service import NotificationService, UnreadCounter, is_enforced
from shared.models import NotificationLog, NotificationRule
from shared.types import SINGLE_LINE, Skip, row_limit

Limit = Annotated[int, row_limit(1000)]
SERVICE = {
    **COMMON_DEPENDENCIES,
    "notifications": Provide(provide_notification_service, sync_to_thread=False),
}


def log_read(entry: NotificationLog) -> NotificationLogRead:
    """The response shape of one notification."""
    return msgspec.convert(entry, NotificationLogRead, from_attributes=True)


def log_page(
    rows: Sequence[NotificationLog], total: int, skip: int, limit: int
) -> NotificationPage:
    """A page of notifications with its total."""
    return NotificationPage(
        logs=[log_read(row) for row in rows], total=total, skip=skip, limit=limit
    )


def rule_read(rule: NotificationRule) -> RuleRead:
    """The response shape of one rule, with whether anything sends on its trigger."""
    read = msgspec.convert(rule, RuleRead, from_attributes=True)
    return msgspec.structs.replace(read, enforced=is_enforced(rule))


class InboxController(Controller):
    """The caller's own in-app notifications (any signed-in member; no module gate)."""

    path = "/api/v1/notifications/my"
    tags = ["notifications"]
    dependencies = SERVICE

    @get("/")
    async def list_my_notifications(
        self,
        notifications: NamedDependency[NotificationService],
        include_expired: Annotated[bool, QueryParameter(description="Show expired")] = False,
        include_read: Annotated[bool, QueryParameter(description="Show read")] = True,
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> NotificationPage:
        """The caller's inbox, newest first (pins are sorted by the client)."""
        rows, total = await notifications.inbox(
            include_expired=include_expired, include_read=include_read, skip=skip, limit=limit
        )
        return log_page(rows, total, skip, limit)

    @get(
        "/unread-count",
        dependencies={"counter": Provide(provide_unread_counter, sync_to_thread=False)},
    )
    async def unread_count(self, counter: NamedDependency[UnreadCounter]) -> UnreadCount:
        """The badge: unread, unexpired in-app notifications (polled every 60 s per tab)."""
        return UnreadCount(unread_count=await counter.unread_count())

    @post("/read-all", status_code=200)
    async def mark_all_read(
        self, notifications: NamedDependency[NotificationService]
    ) -> MarkedRead:
        """Mark every unread inbox entry read, expired ones included."""
        return MarkedRead(marked_read=await notifications.mark_all_read())

    @post("/{log_id:str}/read", status_code=200)
    async def mark_read(
        self, log_id: FromPath[UUID], notifications: NamedDependency[NotificationService]
    ) -> NotificationLogRead:
        """Mark one entry read; 404 when it is not the caller's."""
        return log_read(await notifications.mark_read(log_id))

    @post("/{log_id:str}/pin", status_code=200)
    async def pin(
        self,
        log_id: FromPath[UUID],
        pinned: Annotated[bool, QueryParameter(description="Pin (true) or unpin (false)")],
        notifications: NamedDependency[NotificationService],
    ) -> NotificationLogRead:
        """Pin or unpin one entry; 404 when it is not the caller's."""
        return log_read(await notifications.pin(log_id, pinned=pinned))


class RuleController(Controller):
    """The organization's notification rules."""

    path = "/api/v1/notifications/rules"
    tags = ["notifications"]
    dependencies = SERVICE

    @get("/", guards=[VIEW])
    async def list_rules(
        self,
        notifications: NamedDependency[NotificationService],
        category: Annotated[str | None, QueryParameter(max_length=50)] = None,
        enabled: Annotated[bool | None, QueryParameter()] = None,
        search: Annotated[str | None, QueryParameter(max_length=255, pattern=SINGLE_LINE)] = None,
    ) -> RuleList:
        """Rules by name; an unknown category is ignored."""
        rules = await notifications.list_rules(category=category, enabled=enabled, search=search)
        return RuleList(rules=[rule_read(rule) for rule in rules], total=len(rules))

    @post("/", status_code=201, guards=[MANAGE])
    async def create_rule(
        self, data: JSONBody[RuleCreate], notifications: NamedDependency[NotificationService]
    ) -> RuleRead:
        """Add a rule."""
        return rule_read(await notifications.create_rule(data))

    @get("/{rule_id:str}", guards=[VIEW])
    async def get_rule(
        self, rule_id: FromPath[UUID], notifications: NamedDependency[NotificationService]
    ) -> RuleRead:
        """One rule."""
        return rule_read(await notifications.get_rule(rule_id))

    @patch("/{rule_id:str}", guards=[MANAGE])
    async def update_rule(
        self,
        rule_id: FromPath[UUID],
        data: JSONBody[RuleUpdate],
        notifications: NamedDependency[NotificationService],
    ) -> RuleRead:
        """Change the fields sent; nulls are ignored."""
        return rule_read(await notifications.update_rule(rule_id, data))

    @delete("/{rule_id:str}", status_code=204, guards=[MANAGE])
    async def delete_rule(
        self, rule_id: FromPath[UUID], notifications: NamedDependency[NotificationService]
    ) -> None:
        """Delete a rule."""
        await notifications.delete_rule(rule_id)

    @post("/{rule_id:str}/toggle", status_code=200, guards=[MANAGE])
    async def toggle_rule(
        self,
        rule_id: FromPath[UUID],
        notifications: NamedDependency[NotificationService],
        enabled: Annotated[bool, QueryParameter(description="Switch on (default) or off")] = True,
    ) -> RuleRead:
        """Switch a rule on or off."""
        return rule_read(await notifications.toggle_rule(rule_id, enabled=enabled))


class NotificationController(Controller):
    """The send log, the page's summary and the push configuration."""

    path = "/api/v1/notifications"
    tags = ["notifications"]
    dependencies = SERVICE

    @get("/logs", guards=[VIEW])
    async def list_logs(
        self,
        notifications: NamedDependency[NotificationService],
        channel: Annotated[str | None, QueryParameter(max_length=20)] = None,
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> NotificationPage:
        """The send log, newest first: the organization's for managers, else the caller's own."""
        rows, total = await notifications.send_log(channel=channel, skip=skip, limit=limit)
        return log_page(rows, total, skip, limit)

    @post("/logs/read-all", status_code=200, guards=[VIEW])
    async def mark_logs_read(
        self, notifications: NamedDependency[NotificationService]
    ) -> MarkedRead:
        """Mark the visible send log read."""
        return MarkedRead(marked_read=await notifications.mark_log_all_read())

    @post("/logs/{log_id:str}/read", status_code=200, guards=[VIEW])
    async def mark_log_read(
        self, log_id: FromPath[UUID], notifications: NamedDependency[NotificationService]
    ) -> NotificationLogRead:
        """Mark one notification of the visible send log read."""
        return log_read(await notifications.mark_log_read(log_id))

    @get("/summary", guards=[VIEW])
    async def summary(
        self, notifications: NamedDependency[NotificationService]
    ) -> NotificationSummary:
        """Rule counts and this month's sends."""
        return await notifications.summary()

    @get("/push/config", guards=[signed_in])
    async def push_config(self) -> PushConfig:
        """Browser push is not configured (any signed-in member)."""
        return PushConfig(enabled=False, public_key=None)
