"""What every service knows about sessions and members without asking the database.

Revoked sessions come from auth's own events (`session.ended`, `session.revoked`,
`token.reuse_detected`), read by each instance from the stream it already trusts: the outbox
makes them durable, and a restarted instance replays the last access-token lifetime. The
instance that revokes a session also says so at once (`revoke`), before its event comes back.
The revocation follower knows whether it is `current`: connected, subscribed since the last lost
connection, and caught up with the stream. While it is not (NATS down or restarted, its consumer
lost, a gap in what it read), callers check sessions in the database instead; once current again
it has replayed everything it missed, from the last stream sequence it read.
Activity is noted in a JetStream key-value bucket at most once a minute per session and
instance, and watched by every instance, so idleness is judged alike everywhere. Events that
change what a member may do (auth's, and the api's member, role and organization events) are
passed to `on_member_event`, so per-instance caches of members can drop them.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

import msgspec
import structlog
from nats.js.api import KeyValueConfig
from nats.js.errors import BucketNotFoundError
from nats.js.kv import KeyValue
from tenacity import AsyncRetrying, wait_fixed

from shared.background import BackgroundLoop
from shared.db.types import utc_now
from shared.events.envelope import decode
from shared.events.follower import StreamFollower
from shared.events.nats import NatsConnection
from shared.retry import log_retry

log = structlog.get_logger("shared.sessions")
ACTIVITY_BUCKET = "logbook_session_activity"
NOTE_INTERVAL_SECONDS = 60.0
REVOKING_EVENTS = {
    "logbook.auth.session.ended": "session_id",
    "logbook.auth.session.revoked": "session_ids",
    "logbook.auth.token.reuse_detected": "session_id",
}
MFA_POLICY_UPDATED = "logbook.auth.mfa.policy_updated"
# Auth's events that change what a member's cached facts say: the password flags, MFA, and
# sessions revoked because the member changed. Sign-ins, failures and locks change none of it, and
# forgetting on them would reload a busy member's facts on every sign-in of theirs.
MEMBER_FACT_EVENTS = frozenset(
    {
        "logbook.auth.password.changed",
        "logbook.auth.mfa.enabled",
        "logbook.auth.mfa.disabled",
        "logbook.auth.session.revoked",
    }
)
# The api's events that change a member's facts: by subject, the fields naming the members.
# An organization event names nobody: it may change every member's facts (MFA policy, timezone).
MEMBER_SUBJECTS = {
    "logbook.api.member.>": ("user_id",),
    "logbook.api.role.>": ("affected_user_ids",),
    "logbook.api.organization.>": (),
    # Whose inbox changed: their cached unread counts go (api.notifications).
    "logbook.api.notification.>": ("user_ids",),
}
RETRY_SECONDS = 2.0
REVOCATIONS = "logbook.auth.>"
CONFIRMED_SESSIONS = 65536  # sessions checked in the database and not yet forgotten: a few MB
MemberListener = Callable[[UUID | None], None]


class SessionLiveness(BackgroundLoop):
    """In-memory revoked set and activity map, kept current from NATS."""

    task_name = "session-liveness"

    def __init__(
        self,
        nats: NatsConnection,
        *,
        token_lifetime: timedelta,
        idle_timeout: timedelta,
        on_member_event: MemberListener | None = None,
    ) -> None:
        super().__init__()
        self._nats = nats
        # Told about every member whose facts an auth, member or role event changes (password,
        # MFA, status, roles), and None for an organization event, so caches can drop them.
        self._on_member_event = on_member_event
        self._token_lifetime = token_lifetime
        self._idle_timeout = idle_timeout
        self._revoked: dict[str, float] = {}  # sid -> monotonic time it can be forgotten
        self._activity: dict[str, datetime] = {}
        self._noted: dict[str, float] = {}  # sid -> monotonic time this instance last wrote
        self._next_sweep = time.monotonic() + NOTE_INTERVAL_SECONDS
        self._kv: KeyValue | None = None
        self._writes: set[asyncio.Task[None]] = set()
        self._confirmed: dict[str, None] = {}  # sessions the database showed live (oldest first)
        self._confirmations = 0
        self._revocations = StreamFollower(
            nats,
            REVOCATIONS,
            self._revoke_from,
            # A starting instance replays the revocations of still-valid tokens.
            replay=token_lifetime,
            # Revocations may be gone: every session is checked in the database once more.
            on_discontinuity=self._forget_confirmed,
            on_current=self._caught_up,
        )
        self._member_followers = [
            StreamFollower(
                nats, subject, partial(self._members_from, fields), on_current=self._forget_members
            )
            for subject, fields in MEMBER_SUBJECTS.items()
        ]

    @property
    def current(self) -> bool:
        """Whether every revocation published so far has been read (NATS connected, no gap)."""
        return self._revocations.current

    @property
    def settled(self) -> bool:
        """Every follower is current, so none will drop cached members on catching up."""
        return self.current and all(f.current for f in self._member_followers)

    @property
    def confirmations(self) -> int:
        """Bumped whenever every confirmation is dropped; read it before asking the database."""
        return self._confirmations

    def is_confirmed(self, session_id: str) -> bool:
        """True for a session the database showed live since the follower last caught up."""
        return session_id in self._confirmed

    def confirm(self, session_id: str, confirmations: int) -> None:
        """Remember that the database showed the session live; its end will come by the stream.

        `confirmations` is what `confirmations` said before the database was asked: an answer
        read before every confirmation was dropped is not kept.
        """
        if confirmations != self._confirmations:
            return
        if len(self._confirmed) >= CONFIRMED_SESSIONS:
            del self._confirmed[next(iter(self._confirmed))]  # checked again on its next use
        self._confirmed[session_id] = None

    def is_revoked(self, session_id: str) -> bool:
        """True once auth has announced the session's end."""
        return session_id in self._revoked

    def revoke(self, session_ids: Iterable[str]) -> None:
        """Refuse these sessions from now on (the revoking instance, before its event returns)."""
        forget_at = time.monotonic() + self._token_lifetime.total_seconds()
        for session_id in session_ids:
            self._revoked[session_id] = forget_at
        self._forget_expired()

    def last_activity(self, session_id: str) -> datetime | None:
        """The latest activity any instance noted for the session."""
        return self._activity.get(session_id)

    def note_activity(self, session_id: str) -> None:
        """Record activity, writing to the shared bucket at most once a minute."""
        now = time.monotonic()
        self._activity[session_id] = utc_now()
        if now >= self._next_sweep:
            self._sweep(now)
        if self._kv is None or now - self._noted.get(session_id, 0.0) < NOTE_INTERVAL_SECONDS:
            return
        self._noted[session_id] = now
        task = asyncio.create_task(self._put(session_id))
        self._writes.add(task)  # a reference, so the task is not collected mid-flight
        task.add_done_callback(self._writes.discard)

    async def _put(self, session_id: str) -> None:
        if self._kv is None:
            return
        try:
            await self._kv.put(session_id, utc_now().isoformat().encode())
        except Exception as exc:  # noqa: BLE001 - activity is best effort; idleness errs long
            log.warning("sessions.activity_not_written", error=type(exc).__name__)

    async def _run(self) -> None:
        await asyncio.gather(
            self._follow_activity(),
            self._revocations.run(),
            *(follower.run() for follower in self._member_followers),
        )

    def _forget_confirmed(self) -> None:
        self._confirmed.clear()
        self._confirmations += 1

    def _caught_up(self) -> None:
        # Back after a time away (NATS down or restarted): a session confirmed before may have
        # ended meanwhile with its event still on its way (auth's outbox drains after NATS
        # returns), so each is checked in the database once more; member events may be missed.
        self._forget_confirmed()
        self._forget_members()

    def _forget_members(self) -> None:
        # Caught up after a time away: a member event may have been missed meanwhile.
        if self._on_member_event is not None:
            self._on_member_event(None)

    def _members_from(self, fields: tuple[str, ...], payload: bytes) -> None:
        if self._on_member_event is None:
            return
        try:
            data = decode(payload).data
        except msgspec.DecodeError:
            return
        if not fields:
            self._on_member_event(None)
        for field in fields:
            named = data.get(field)
            for member in named if isinstance(named, list) else [named]:
                self._tell_member(member)

    def _tell_member(self, member: object) -> None:
        if self._on_member_event is not None and isinstance(member, str):
            with contextlib.suppress(ValueError):
                self._on_member_event(UUID(member))

    def _revoke_from(self, payload: bytes) -> None:
        try:
            envelope = decode(payload)
        except msgspec.DecodeError:
            return
        if envelope.type in MEMBER_FACT_EVENTS:
            self._tell_member(envelope.data.get("user_id"))
        if envelope.type == MFA_POLICY_UPDATED and self._on_member_event is not None:
            self._on_member_event(None)  # every member's MFA gate may have changed
        field = REVOKING_EVENTS.get(envelope.type)
        if field is None:
            return
        ids = envelope.data.get(field)
        self.revoke(s for s in (ids if isinstance(ids, list) else [ids]) if isinstance(s, str))

    def _sweep(self, now: float) -> None:
        # Activity older than the idle timeout decides nothing a token's issue time does not:
        # dropping it keeps the maps as small as the set of sessions in use.
        self._next_sweep = now + NOTE_INTERVAL_SECONDS
        stale = utc_now() - self._idle_timeout
        for session_id in [s for s, seen in self._activity.items() if seen < stale]:
            del self._activity[session_id]
        for session_id in [s for s, at in self._noted.items() if now - at > NOTE_INTERVAL_SECONDS]:
            del self._noted[session_id]

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for session_id in [s for s, until in self._revoked.items() if until < now]:
            del self._revoked[session_id]

    async def _follow_activity(self) -> None:
        retrying = AsyncRetrying(  # rewatch after NATS trouble
            wait=wait_fixed(RETRY_SECONDS),
            before_sleep=log_retry(log.warning, "sessions.activity_restart"),
        )
        while True:  # a watch that simply ends is renewed at once
            await retrying(self._watch_activity)

    async def _watch_activity(self) -> None:
        await self._nats.ready.wait()
        self._kv = await self._bucket()
        watcher = await self._kv.watchall()
        async for entry in watcher:
            if entry is not None and entry.value:
                self._merge_activity(entry.key, entry.value)

    def _merge_activity(self, session_id: str, value: bytes) -> None:
        with contextlib.suppress(ValueError):
            seen = datetime.fromisoformat(value.decode())
            if seen > self._activity.get(session_id, seen - timedelta(seconds=1)):
                self._activity[session_id] = seen

    async def _bucket(self) -> KeyValue:
        js = self._nats.jetstream
        try:
            return await js.key_value(ACTIVITY_BUCKET)
        except BucketNotFoundError:
            # Entries outlive the idle timeout by a margin, then expire on their own.
            ttl = (self._idle_timeout + timedelta(minutes=5)).total_seconds()
            # As many copies as the event stream, so it outlives one server of a cluster.
            config = KeyValueConfig(bucket=ACTIVITY_BUCKET, ttl=ttl, replicas=self._nats.replicas)
            return await js.create_key_value(config)
