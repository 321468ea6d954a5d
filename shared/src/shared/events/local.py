"""This instance's own committed events, heard at once by the caches that follow the stream.

A cache kept fresh by the stream (`Followers`) learns of a change made through another instance
when its event arrives; of a change made through this one, the same way, milliseconds after the
commit, or not before NATS is back when it is away. So the outbox also hands each event, once
its change commits, to this instance's `LocalEvents`, which gives it to every handler following
its subject, as the stream would (a handler may then hear it twice: caches only drop things).
Requests' sessions carry `deliver` in their info under `LOCAL_KEY` (shared.db.session).
"""

from collections.abc import Callable, Iterable

LOCAL_KEY = "local_events"
Handler = Callable[[bytes], None]


def subject_matches(pattern: str, subject: str) -> bool:
    """Whether a NATS subject pattern (`*` one token, a final `>` the rest) takes `subject`."""
    wanted, parts = pattern.split("."), subject.split(".")
    for index, part in enumerate(wanted):
        if part == ">":
            return len(parts) > index
        if index >= len(parts) or part not in ("*", parts[index]):
            return False
    return len(parts) == len(wanted)


class LocalEvents:
    """The handlers of this instance's caches, by the subjects they follow."""

    def __init__(self) -> None:
        self._handlers: list[tuple[tuple[str, ...], Handler]] = []

    def follow(self, subjects: Iterable[str], handle: Handler) -> None:
        """Give `handle` every committed event of this instance on one of `subjects`."""
        self._handlers.append((tuple(subjects), handle))

    def forget(self, handle: Handler) -> None:
        """Stop giving events to `handle` (its cache is closing)."""
        self._handlers = [(subjects, h) for subjects, h in self._handlers if h != handle]

    def deliver(self, subject: str, payload: bytes) -> None:
        """Hand one committed event to the handlers following its subject."""
        for subjects, handle in self._handlers:
            if any(subject_matches(pattern, subject) for pattern in subjects):
                handle(payload)
