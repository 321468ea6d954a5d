"""The encoded roster, kept per organization while its fingerprint and visibility stay the same.

The roster is the same for every caller of an organization (§4 #15), and the busiest member
route: a hit costs one small statement instead of reading and decrypting every member's row
and encoding them again.
"""

from collections.abc import Hashable
from uuid import UUID

from cachetools import LRUCache

MAX_ORGANIZATIONS = 64


class RosterCache:
    """Rosters of the most recently listed organizations, in this process."""

    def __init__(self, size: int = MAX_ORGANIZATIONS) -> None:
        self._entries: LRUCache[UUID, tuple[Hashable, bytes]] = LRUCache(maxsize=size)

    def get(self, organization_id: UUID, key: Hashable) -> bytes | None:
        """The roster stored under the same key, else None."""
        entry = self._entries.get(organization_id)
        return entry[1] if entry is not None and entry[0] == key else None

    def put(self, organization_id: UUID, key: Hashable, roster: bytes) -> None:
        """Keep the roster, dropping the least recently used organization past the limit."""
        self._entries[organization_id] = (key, roster)


ROSTERS = RosterCache()
