"""The scan index on its own: ranking, kept answers and what drops them (spec inventory.md
§6.6 #23). Through HTTP: tests/api/test_inventory_catalog.py; fed by events: test_inventory_live.
"""

import uuid

import msgspec
import pytest

from api.inventory.lookup_index import ANSWER_SECONDS, CodeIndex, CodeIndexes
from api.inventory.schemas import ItemRead
from shared.db.types import utc_now

ORG = uuid.uuid4()


def item(**values: str) -> tuple[uuid.UUID, tuple[str | None, ...]]:
    fields = ("barcode", "serial_number", "asset_tag", "name", "size", "color")
    return uuid.uuid4(), tuple(values.get(field) for field in fields)


def answer(item_id: uuid.UUID) -> ItemRead:
    """An item's list shape: what the index keeps for a hit."""
    now = utc_now()
    values: dict[str, object] = {field.name: None for field in msgspec.structs.fields(ItemRead)}
    values.update(
        id=item_id, organization_id=ORG, name="Radio", condition="good", status="available",
        tracking_type="individual", quantity=1, quantity_issued=0, active=True,
        created_at=now, updated_at=now, is_lot_stocked=False,
    )  # fmt: skip
    return msgspec.convert(values, ItemRead)


class TestSearch:
    def test_exact_values_first_then_field_priority_then_name(self) -> None:
        by_name_b = item(name="Zulu SCBA 7")
        by_name_a = item(name="alpha scba 7")
        by_tag = item(asset_tag="AT-SCBA 7-1", name="Pack")
        exact_color = item(name="Coat", color="scba 7")
        spanning = item(barcode="xxSCBA", serial_number=" 7")  # only across two values
        index = CodeIndex([by_name_b, by_name_a, by_tag, exact_color, spanning])
        found = [(m.item_id, m.field) for m in index.search("SCBA 7")]
        assert found == [
            (exact_color[0], "color"),
            (by_tag[0], "asset_tag"),
            (by_name_a[0], "name"),
            (by_name_b[0], "name"),
        ]

    def test_nothing_found(self) -> None:
        assert CodeIndex([item(name="Axe")]).search("saw") == []
        assert CodeIndex([]).search("saw") == []

    def test_every_item_containing_the_code_once_and_never_across_two_items(self) -> None:
        items = [item(barcode=f"B-{n:02d}", name=f"Hose {n:02d} hose") for n in range(50)]
        index = CodeIndex([item(color="ends-with-ho"), *items, item(barcode="se-starts")])
        assert len(index.search("hose")) == 50
        assert [m.item_id for m in index.search("09 hose")] == [items[9][0]]
        assert index.search("hose\x01b-") == []


class TestAnswers:
    def test_kept_answers_expire(self) -> None:
        now = [100.0]
        index = CodeIndex([], clock=lambda: now[0])
        first, second = uuid.uuid4(), uuid.uuid4()
        index.keep([answer(first)], read_after=index.changes)
        assert set(index.answers([first, second])) == {first}
        now[0] += ANSWER_SECONDS + 0.1
        assert index.answers([first]) == {}

    def test_an_answer_read_before_a_change_is_not_kept(self) -> None:
        index = CodeIndex([])
        kept, changed = uuid.uuid4(), uuid.uuid4()
        index.keep([answer(kept)], read_after=index.changes)
        read_after = index.changes
        index.changed([changed])  # while the read of `changed` was in flight
        index.keep([answer(changed)], read_after=read_after)
        assert set(index.answers([kept, changed])) == {kept}
        index.changed([kept])
        assert index.answers([kept]) == {}


class TestChanges:
    @pytest.mark.parametrize(
        ("subject", "data", "index_dropped"),
        [
            ("item_created", {}, True),
            ("item_retired", {}, True),
            ("item_updated", {"changed_fields": ["serial_number"]}, True),
            ("item_updated", {"changed_fields": ["notes"]}, False),
            ("item_checked_out", {}, False),
        ],
    )
    async def test_what_an_event_drops(
        self, subject: str, data: dict[str, object], index_dropped: bool
    ) -> None:
        indexes = CodeIndexes()
        one = item(name="Radio")
        loads = 0

        async def load() -> list[tuple[uuid.UUID, tuple[str | None, ...]]]:
            nonlocal loads
            loads += 1
            return [one]

        index = await indexes.get(ORG, load)
        index.keep([answer(one[0])], read_after=index.changes)
        indexes.changed(ORG, f"logbook.api.inventory.{subject}", {"item_id": str(one[0]), **data})
        again = await indexes.get(ORG, load)
        assert loads == (2 if index_dropped else 1)
        assert again.answers([one[0]]) == {}  # a fresh index, or the item's answer dropped
        await indexes.close()

    async def test_a_batch_drops_each_item_s_answer(self) -> None:
        indexes = CodeIndexes()
        first, second, third = item(name="A"), item(name="B"), item(name="C")

        async def load() -> list[tuple[uuid.UUID, tuple[str | None, ...]]]:
            return [first, second, third]

        index = await indexes.get(ORG, load)
        index.keep([answer(i[0]) for i in (first, second, third)], read_after=index.changes)
        ids = [str(first[0]), str(second[0]), "not-an-id"]
        indexes.changed(ORG, "logbook.api.inventory.batch_return", {"item_ids": ids})
        assert set(index.answers([first[0], second[0], third[0]])) == {third[0]}
        await indexes.close()
