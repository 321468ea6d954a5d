"""The scan look-up's index: each organization's active items by the six values a scan matches.

A scan matches a substring of six columns (spec inventory.md §6.6 #23), which no database index
serves: MariaDB reads every item of the organization for it (5 ms for 2,000 items), and that
bounds the scan desk's rate. Here each organization's lowered values are kept in memory and
searched in about a tenth of a millisecond. The hits' answers (the list shape of an item) are
kept too, a few seconds at most, so that a desk scanning the same codes again and again does
not read the same rows each time.

Kept fresh by the inventory events every instance follows (`live.py`), its own changes
included: an item created, retired or given other codes, name, size or colour drops the
organization's index; any other change of an item (a checkout, a quantity) drops that item's
answer. This instance also applies its own events once their change commits, and nothing is
older than `TTL_SECONDS` (answers `ANSWER_SECONDS`), for a change no event reported (NATS
unreachable). A hit whose answer no longer matches makes the caller reload the index and search
again (`InventoryService.lookup`).
"""

import time
from bisect import bisect_right
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import accumulate
from typing import Any
from uuid import UUID

import msgspec

from api.inventory.schemas import ItemRead
from shared.cache import LoadingCache
from shared.events.contracts.inventory import ItemCreated, ItemRetired, ItemUpdated
from shared.events.envelope import Envelope, EventData

# By priority: a hit reports the first of these that contains the code.
LOOKUP_FIELDS = ("barcode", "serial_number", "asset_tag", "name", "size", "color")
NAME = LOOKUP_FIELDS.index("name")
# What a change must touch to change the index: the matched values and whether it is active.
INDEXED = frozenset((*LOOKUP_FIELDS, "active"))
TTL_SECONDS = 60.0
# An item's answer also shows its category's name, which changes without an item event.
ANSWER_SECONDS = 10.0
# Indexes kept at once: about 0.7 MB per 2,000 items; an organization past it is read again.
ORGANIZATIONS = 16
# Join an item's values, and the items, into one string searched at once.
SEPARATOR = "\x00"
ITEMS_SEPARATOR = "\x01"

Values = tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """An item whose `field` (the first by priority) contains the code."""

    item_id: UUID
    field: str


@dataclass(frozen=True, slots=True)
class _Entry:
    item_id: UUID
    joined: str  # the lowered values in LOOKUP_FIELDS order, "" for none, SEPARATOR between
    name: str  # lowered, for the order among equally good hits


class CodeIndex:
    """One organization's active items, searchable by a substring of their values, and the
    answers of the items scans found lately."""

    def __init__(
        self, items: Iterable[tuple[UUID, Values]], *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._entries = [
            _Entry(
                item_id,
                SEPARATOR.join((value or "").lower() for value in values),
                (values[NAME] or "").lower(),
            )
            for item_id, values in items
        ]
        self._text = ITEMS_SEPARATOR.join(entry.joined for entry in self._entries)
        self._starts = list(
            accumulate((len(entry.joined) + 1 for entry in self._entries[:-1]), initial=0)
        )
        self._clock = clock
        self._answers: dict[UUID, tuple[float, ItemRead]] = {}
        # Counts dropped answers: an answer read before a drop may predate the change.
        self.changes = 0

    def search(self, code: str) -> list[Match]:
        """Every item containing `code` in any case: exact whole values first, then by the
        priority of the field that contains it, then by name (the scan modal takes the first)."""
        wanted = code.lower()
        ranked = []
        for entry in self._candidates(wanted):
            values = entry.joined.split(SEPARATOR)
            field = next((n for n, value in enumerate(values) if wanted in value), None)
            if field is None:  # the code spans two values: no field contains it
                continue
            exact = 0 if wanted in values else 1
            ranked.append((exact, field, entry.name, entry.item_id.hex, entry.item_id))
        ranked.sort()
        return [Match(item_id, LOOKUP_FIELDS[field]) for _, field, _, _, item_id in ranked]

    def _candidates(self, wanted: str) -> Iterator[_Entry]:
        """The items whose joined values contain `wanted`: found by `str.find` over all of them
        at once, which a Python loop over the items is ten times slower than."""
        at = self._text.find(wanted)
        while at != -1:
            n = bisect_right(self._starts, at) - 1
            yield self._entries[n]
            following = n + 1
            if following == len(self._starts):
                return
            at = self._text.find(wanted, self._starts[following])

    def answers(self, item_ids: Iterable[UUID]) -> dict[UUID, ItemRead]:
        """The kept answers, still fresh, of these items."""
        oldest = self._clock() - ANSWER_SECONDS
        kept = ((item_id, self._answers.get(item_id)) for item_id in item_ids)
        return {item_id: got[1] for item_id, got in kept if got is not None and got[0] > oldest}

    def keep(self, answers: Iterable[ItemRead], *, read_after: int) -> None:
        """Keep answers read from the database, unless an item changed since (`changes` was
        `read_after` when the read began)."""
        if self.changes != read_after:
            return
        now = self._clock()
        for answer in answers:
            self._answers[answer.id] = (now, answer)

    def changed(self, item_ids: Iterable[UUID]) -> None:
        """Drop the answers of items that changed."""
        self.changes += 1
        for item_id in item_ids:
            self._answers.pop(item_id, None)


def first_match(values: Values, code: str) -> str | None:
    """The first field, by priority, whose value contains `code` in any case."""
    wanted = code.lower()
    for field, value in zip(LOOKUP_FIELDS, values, strict=True):
        if value is not None and wanted in value.lower():
            return field
    return None


def answer_values(answer: ItemRead) -> Values:
    """An answer's values in `LOOKUP_FIELDS` order."""
    return tuple(getattr(answer, field) for field in LOOKUP_FIELDS)


class CodeIndexes:
    """This instance's indexes, by organization."""

    def __init__(self, *, ttl: float = TTL_SECONDS, organizations: int = ORGANIZATIONS) -> None:
        self._cache: LoadingCache[UUID, CodeIndex] = LoadingCache(ttl=ttl, maxsize=organizations)

    async def get(
        self, organization_id: UUID, load: Callable[[], Awaitable[Sequence[tuple[UUID, Values]]]]
    ) -> CodeIndex:
        """The organization's index, read with `load` when this instance holds none."""

        async def build() -> CodeIndex:
            return CodeIndex(await load())

        return await self._cache.get(organization_id, build)

    def forget(self, organization_id: UUID) -> None:
        """Drop the organization's index (and a load in flight): the next scan reads it again."""
        self._cache.forget(organization_id)

    def heard(self, envelope: Envelope) -> None:
        """Drop what an inventory event from any instance says has changed."""
        if envelope.organization_id is not None:
            self.changed(envelope.organization_id, envelope.type, envelope.data)

    def changed(self, organization_id: UUID, subject: str, data: dict[str, Any]) -> None:
        """Drop what an inventory event says has changed: the index, or items' answers."""
        if subject in (ItemCreated.subject, ItemRetired.subject) or (
            subject == ItemUpdated.subject
            and INDEXED.intersection(data.get("changed_fields") or ())
        ):
            self.forget(organization_id)
            return
        index = self._cache.peek(organization_id)
        if index is not None:
            index.changed(_item_ids(data))

    async def close(self) -> None:
        await self._cache.close()


def _item_ids(data: dict[str, Any]) -> list[UUID]:
    """The items an event names: `item_id`, or a batch's `item_ids` (malformed ones skipped)."""
    named = data.get("item_ids")
    raw = [*named] if isinstance(named, list) else [data.get("item_id")]
    ids = []
    for value in raw:
        try:
            ids.append(UUID(str(value)))
        except ValueError:
            continue
    return ids


@dataclass(frozen=True)
class OrganizationCodes:
    """One request's handle on its organization's index."""

    indexes: CodeIndexes
    organization_id: UUID
    load: Callable[[], Awaitable[Sequence[tuple[UUID, Values]]]]
    # Runs a callback once the request's transaction commits (shared.db.on_commit).
    after_commit: Callable[[Callable[[], None]], None]

    async def index(self) -> CodeIndex:
        return await self.indexes.get(self.organization_id, self.load)

    async def reloaded(self) -> CodeIndex:
        """The index read again now, for a search that found a row changed since."""
        self.indexes.forget(self.organization_id)
        return await self.index()

    def published(self, event: EventData) -> None:
        """Drop what the event says has changed once this request commits, before the event
        comes back from the stream: the member who made the change sees it at once.

        Not sooner: a scan racing the commit would read and keep the rows from before it.
        """
        data = msgspec.to_builtins(event)
        self.after_commit(partial(self.indexes.changed, self.organization_id, event.subject, data))
