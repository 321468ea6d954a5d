"""The encoded roster, kept per organization while its fingerprint and visibility stay the same.

The roster is the same for every caller of an organization (§4 #15), and the busiest member
route: a hit costs one small statement instead of reading and decrypting every member's row
and encoding them again.
"""

from collections import OrderedDict
from collections.abc import Hashable
from uuid import UUID

MAX_ORGANIZATIONS = 64


class RosterCache:
    """Rosters of the most recently listed organizations, in this process."""

    def __init__(self, size: int = MAX_ORGANIZATIONS) -> None:
        self._size = size
        self._entries: OrderedDict[UUID, tuple[Hashable, bytes]] = OrderedDict()

    def get(self, organization_id: UUID, key: Hashable) -> bytes | None:
        """The roster stored under the same key, else None."""
        entry = self._entries.get(organization_id)
        if entry is None or entry[0] != key:
            return None
        self._entries.move_to_end(organization_id)
        return entry[1]

    def put(self, organization_id: UUID, key: Hashable, roster: bytes) -> None:
        """Keep the roster, dropping the least recently used organization past the limit."""
        self._entries[organization_id] = (key, roster)
        self._entries.move_to_end(organization_id)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


ROSTERS = RosterCache()
