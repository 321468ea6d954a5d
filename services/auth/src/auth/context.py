"""What every auth rule shares: the client, its events, this instance's memory, and the records
a refused request keeps."""

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TypedDict
from uuid import UUID

from auth.repository import MemberRepository, ResetTokenRepository, SessionRepository
from shared.events.envelope import EventData
from shared.events.outbox import Outbox
from shared.models import User
from shared.principal import MemberCache
from shared.session_liveness import SessionLiveness

AfterCommit = Callable[[Callable[[], None]], None]  # registers work for after the commit


class EventSubject(TypedDict):
    """The fields every auth event starts with."""

    user_id: str | None
    ip_address: str | None
    user_agent: str | None


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, recorded on the session and in events."""

    ip_address: str | None
    user_agent: str | None


@dataclass(frozen=True)
class IssuedTokens:
    """What the gateway turns into the three cookies."""

    access: str
    refresh: str
    csrf: str


class AuthEvents:
    """Queues auth events in the request's transaction, each naming the client."""

    def __init__(self, outbox: Outbox, client: ClientInfo) -> None:
        self._outbox = outbox
        self.client = client

    def subject(self, user_id: UUID | None) -> EventSubject:
        """The fields every auth event starts with."""
        return {
            "user_id": str(user_id) if user_id else None,
            "ip_address": self.client.ip_address,
            "user_agent": self.client.user_agent,
        }

    def publish(
        self, event_data: EventData, *, organization_id: UUID | None, actor_id: UUID | None
    ) -> None:
        """Queue one event."""
        self._outbox.add(event_data, organization_id=organization_id, actor_id=actor_id)

    def publish_for(self, event_data: EventData, user: User | None) -> None:
        """Queue an event the member caused about themselves."""
        self.publish(
            event_data,
            organization_id=user.organization_id if user else None,
            actor_id=user.id if user else None,
        )


class InstanceMemory:
    """This instance's view of sessions and members, told of its own writes at once.

    Other instances learn of a change from its event; this one must not wait for it, or a
    logged-out cookie replayed at once would still be served from memory.
    """

    def __init__(
        self, liveness: SessionLiveness, members: MemberCache, after_commit: AfterCommit
    ) -> None:
        self.liveness = liveness
        self._members = members
        self._after_commit = after_commit

    def sessions_ended(self, session_ids: Iterable[UUID]) -> None:
        """Refuse the sessions from now on; a rolled-back revocation errs on the safe side."""
        self.liveness.revoke(str(session_id) for session_id in session_ids)

    def member_changed(self, user_id: UUID | None) -> None:
        """Drop the member (None: every member) now and again once the change is committed.

        A request that reloads the member between the two would otherwise keep the facts from
        before the change for a minute.
        """
        self._members.forget(user_id)
        self._after_commit(partial(self._members.forget, user_id))


@dataclass(frozen=True)
class AuthStore:
    """The repositories, events and memory of one transaction."""

    members: MemberRepository
    sessions: SessionRepository
    tokens: ResetTokenRepository
    events: AuthEvents
    memory: InstanceMemory


KeptRecord = Callable[[AuthStore], Awaitable[None]]


class Refusals:
    """What a refused request must still record: a failed sign-in counted, a revocation.

    The request's transaction always rolls back with its error; these records are then written
    in a transaction of their own (`auth.deps.provide_refusals`). Each reloads what it changes:
    nothing the request loaded survives its rollback.
    """

    def __init__(self) -> None:
        self.records: list[KeptRecord] = []

    def keep(self, record: KeptRecord) -> None:
        """Write `record` if the request fails."""
        self.records.append(record)
