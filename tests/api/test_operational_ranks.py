"""Operational ranks as the settings page and the rank dropdowns use them (addendum §3).

In-process api on the worker's MariaDB; each test has an organization of its own.
"""

import json
import uuid
from typing import Any

from sqlalchemy import delete, select, update

from shared.db.types import utc_now
from shared.models import MemberStatus, OperationalRank, Organization, OutboxMessage
from tests.api.signed_in import SignedInOrganization, signed_in_organization  # noqa: F401

RANKS = "/api/v1/operational-ranks"
SEEDED = [
    "fire_chief",
    "deputy_chief",
    "assistant_chief",
    "captain",
    "lieutenant",
    "engineer",
    "firefighter",
    "emt",
]


async def ranks(org: SignedInOrganization, query: str = "") -> list[dict[str, Any]]:
    response = await org.api.get(f"{RANKS}{query}", headers=org.admin)
    assert response.status_code == 200, response.text
    return list(response.json())


async def create(org: SignedInOrganization, **body: Any) -> dict[str, Any]:
    response = await org.api.post(RANKS, json=body, headers=org.admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def rank_events(org: SignedInOrganization) -> list[dict[str, Any]]:
    """The `rank.changed` events this organization's writes queued, oldest first."""
    async with org.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage.payload)
            .where(OutboxMessage.subject == "logbook.api.rank.changed")
            .order_by(OutboxMessage.created_at)
        )
        events = [json.loads(payload) for payload in rows]
    return [e for e in events if e["organization_id"] == str(org.organization_id)]


async def validate(org: SignedInOrganization) -> dict[str, Any]:
    response = await org.api.get(f"{RANKS}/validate", headers=org.admin)
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestSeeding:
    async def test_the_first_read_seeds_the_defaults_with_their_positions(
        self, org: SignedInOrganization
    ) -> None:
        _, member = await org.member()
        listed = (await org.api.get(RANKS, headers=member)).json()
        assert [r["rank_code"] for r in listed] == SEEDED
        assert [r["sort_order"] for r in listed] == list(range(8))
        by_code = {r["rank_code"]: r for r in listed}
        assert by_code["emt"]["display_name"] == "EMT"
        assert by_code["engineer"]["eligible_positions"] == ["driver", "firefighter", "ems"]
        assert len(by_code["fire_chief"]["eligible_positions"]) == 9
        assert [r["rank_code"] for r in await ranks(org)] == SEEDED  # not twice

    async def test_deleting_every_rank_does_not_bring_the_defaults_back(
        self, org: SignedInOrganization
    ) -> None:
        for rank in await ranks(org):
            response = await org.api.delete(f"{RANKS}/{rank['id']}", headers=org.admin)
            assert response.status_code == 204
        assert await ranks(org) == []
        assert await ranks(org) == []
        async with org.sessions() as session:
            settings = await session.scalar(
                select(Organization.settings).where(Organization.id == org.organization_id)
            )
        assert settings["operational_ranks_seeded"] is True

    async def test_an_organization_that_has_ranks_is_not_seeded(
        self, org: SignedInOrganization
    ) -> None:
        async with org.sessions() as session:
            session.add(
                OperationalRank(
                    organization_id=org.organization_id,
                    rank_code="probie",
                    display_name="Probie",
                    sort_order=0,
                    is_active=True,
                )
            )
            await session.commit()
        assert [r["rank_code"] for r in await ranks(org)] == ["probie"]

    async def test_the_active_filter(self, org: SignedInOrganization) -> None:
        captain = next(r for r in await ranks(org) if r["rank_code"] == "captain")
        response = await org.api.patch(
            f"{RANKS}/{captain['id']}", json={"is_active": False}, headers=org.admin
        )
        assert response.status_code == 200
        active = [r["rank_code"] for r in await ranks(org, "?is_active=true")]
        inactive = [r["rank_code"] for r in await ranks(org, "?is_active=false")]
        assert "captain" not in active
        assert inactive == ["captain"]


class TestCreate:
    async def test_a_new_rank_is_answered_and_announced(self, org: SignedInOrganization) -> None:
        created = await create(
            org,
            rank_code="battalion_chief",
            display_name="Battalion Chief",
            sort_order=3,
            eligible_positions=["officer"],
        )
        assert created["rank_code"] == "battalion_chief"
        assert (created["description"], created["is_active"]) == (None, True)
        assert created["organization_id"] == str(org.organization_id)
        fetched = await org.api.get(f"{RANKS}/{created['id']}", headers=org.admin)
        assert fetched.json() == created
        (event,) = await rank_events(org)
        assert event["data"]["change"] == "created"
        assert event["data"]["rank_ids"] == [created["id"]]
        assert event["data"]["rank_codes"] == ["battalion_chief"]

    async def test_a_code_taken_in_any_case_is_409_with_the_code(
        self, org: SignedInOrganization
    ) -> None:
        await create(org, rank_code="chaplain", display_name="Chaplain")
        response = await org.api.post(
            RANKS, json={"rank_code": "Chaplain", "display_name": "Again"}, headers=org.admin
        )
        assert response.status_code == 409
        assert response.json()["detail"] == "Rank code 'Chaplain' already exists"

    async def test_bad_bodies_are_422(self, org: SignedInOrganization) -> None:
        bodies = (
            {"rank_code": "", "display_name": "Blank"},
            {"rank_code": "x" * 101, "display_name": "Long"},
            {"rank_code": "ok", "display_name": None},
            {"rank_code": "ok", "display_name": "Ok", "eligible_positions": ["pilot"]},
        )
        for body in bodies:
            response = await org.api.post(RANKS, json=body, headers=org.admin)
            assert response.status_code == 422, body

    async def test_members_without_settings_manage_cannot_write(
        self, org: SignedInOrganization
    ) -> None:
        rank = (await ranks(org))[0]
        _, member = await org.member()
        attempts = [
            await org.api.post(RANKS, json={"rank_code": "a", "display_name": "A"}, headers=member),
            await org.api.patch(f"{RANKS}/{rank['id']}", json={}, headers=member),
            await org.api.delete(f"{RANKS}/{rank['id']}", headers=member),
            await org.api.post(
                f"{RANKS}/reorder",
                json={"ranks": [{"id": rank["id"], "sort_order": 1}]},
                headers=member,
            ),
        ]
        assert [a.status_code for a in attempts] == [403] * 4


class TestUpdate:
    async def test_the_fields_sent_change(self, org: SignedInOrganization) -> None:
        rank = await create(org, rank_code="chaplain", display_name="Chaplain", description="x")
        response = await org.api.patch(
            f"{RANKS}/{rank['id']}",
            json={"rank_code": "chaplain", "display_name": "Station Chaplain", "description": None},
            headers=org.admin,
        )
        assert response.status_code == 200, response.text
        assert (response.json()["display_name"], response.json()["description"]) == (
            "Station Chaplain",
            None,
        )
        updated = (await rank_events(org))[-1]["data"]
        assert (updated["change"], updated["fields_changed"]) == (
            "updated",
            ["description", "display_name"],
        )

    async def test_null_on_a_required_field_is_422(self, org: SignedInOrganization) -> None:
        rank = await create(org, rank_code="chaplain", display_name="Chaplain")
        for field in ("rank_code", "display_name", "sort_order", "is_active"):
            response = await org.api.patch(
                f"{RANKS}/{rank['id']}", json={field: None}, headers=org.admin
            )
            assert response.status_code == 422, field

    async def test_a_code_members_hold_cannot_change(self, org: SignedInOrganization) -> None:
        rank = await create(org, rank_code="chaplain", display_name="Chaplain")
        await org.member(rank="chaplain")
        await org.member(rank="chaplain")
        await org.member(rank="chaplain", status=MemberStatus.RETIRED)
        response = await org.api.patch(
            f"{RANKS}/{rank['id']}", json={"rank_code": "padre"}, headers=org.admin
        )
        assert response.status_code == 409
        assert response.json()["detail"] == (
            "Rank code is in use by 2 active member(s); create a new rank and reassign them"
        )
        unchanged = await org.api.patch(
            f"{RANKS}/{rank['id']}",
            json={"rank_code": "chaplain", "display_name": "Padre"},
            headers=org.admin,
        )
        assert unchanged.status_code == 200, unchanged.text

    async def test_a_free_code_can_change_unless_another_rank_has_it(
        self, org: SignedInOrganization
    ) -> None:
        rank = await create(org, rank_code="chaplain", display_name="Chaplain")
        await create(org, rank_code="padre", display_name="Padre")
        clash = await org.api.patch(
            f"{RANKS}/{rank['id']}", json={"rank_code": "PADRE"}, headers=org.admin
        )
        renamed = await org.api.patch(
            f"{RANKS}/{rank['id']}", json={"rank_code": "pastor"}, headers=org.admin
        )
        assert clash.status_code == 409
        assert renamed.status_code == 200
        assert renamed.json()["rank_code"] == "pastor"
        assert (await rank_events(org))[-1]["data"]["rank_codes"] == ["chaplain", "pastor"]

    async def test_unknown_and_foreign_ranks_are_404(self, org: SignedInOrganization) -> None:
        async with org.sessions() as session:
            other = Organization(name="Elsewhere", slug=f"e-{uuid.uuid4()}")
            session.add(other)
            await session.flush()
            foreign = OperationalRank(
                organization_id=other.id, rank_code="x", display_name="X", sort_order=0
            )
            session.add(foreign)
            await session.commit()
        for rank_id in (uuid.uuid4(), foreign.id):
            for method in ("GET", "PATCH", "DELETE"):
                response = await org.api.request(
                    method,
                    f"{RANKS}/{rank_id}",
                    headers=org.admin,
                    json={} if method == "PATCH" else None,
                )
                assert (response.status_code, response.json()["detail"]) == (
                    404,
                    "Rank not found",
                ), method


class TestDelete:
    async def test_a_held_rank_is_deleted_and_its_holders_show_in_validate(
        self, org: SignedInOrganization
    ) -> None:
        rank = await create(org, rank_code="chaplain", display_name="Chaplain")
        holder, _ = await org.member(rank="chaplain", first_name="Ada", last_name="Byrne")
        assert (await validate(org))["total"] == 0
        response = await org.api.delete(f"{RANKS}/{rank['id']}", headers=org.admin)
        assert response.status_code == 204
        assert (await org.api.delete(f"{RANKS}/{rank['id']}", headers=org.admin)).status_code == (
            404
        )
        assert await validate(org) == {
            "issues": [
                {"member_id": str(holder.id), "member_name": "Ada Byrne", "rank_code": "chaplain"}
            ],
            "total": 1,
        }
        assert (await rank_events(org))[-1]["data"]["change"] == "deleted"


class TestReorder:
    async def test_ranks_take_their_new_places_and_foreign_ids_are_skipped(
        self, org: SignedInOrganization
    ) -> None:
        listed = await ranks(org)
        captain = next(r for r in listed if r["rank_code"] == "captain")
        await org.api.patch(
            f"{RANKS}/{captain['id']}", json={"is_active": False}, headers=org.admin
        )
        reversed_order = [{"id": r["id"], "sort_order": n} for n, r in enumerate(reversed(listed))]
        response = await org.api.post(
            f"{RANKS}/reorder",
            json={"ranks": [*reversed_order, {"id": str(uuid.uuid4()), "sort_order": 0}]},
            headers=org.admin,
        )
        assert response.status_code == 200, response.text
        assert [r["rank_code"] for r in response.json()] == list(reversed(SEEDED))
        assert [r["sort_order"] for r in response.json()] == list(range(8))
        event = (await rank_events(org))[-1]["data"]
        assert event["change"] == "reordered"
        assert len(event["rank_ids"]) == 8

    async def test_an_empty_list_is_422(self, org: SignedInOrganization) -> None:
        response = await org.api.post(f"{RANKS}/reorder", json={"ranks": []}, headers=org.admin)
        assert response.status_code == 422


class TestValidate:
    async def test_members_on_the_roll_with_unknown_codes_exactly(
        self, org: SignedInOrganization
    ) -> None:
        await ranks(org)  # seeded
        async with org.sessions() as session:
            await session.execute(
                update(OperationalRank)
                .where(
                    OperationalRank.organization_id == org.organization_id,
                    OperationalRank.rank_code == "emt",
                )
                .values(is_active=False)
            )
            await session.commit()
        unknown, _ = await org.member(rank="Captain", first_name="Bo", last_name="Cole")
        await org.member(rank="captain")
        await org.member(rank="emt")  # an inactive rank still counts
        await org.member(rank="")
        await org.member(rank="ghost", status=MemberStatus.RETIRED)
        await org.member(rank="ghost", status=MemberStatus.DROPPED_VOLUNTARY)
        await org.member(rank="ghost", deleted_at=utc_now())
        _, member = await org.member()
        response = await org.api.get(f"{RANKS}/validate", headers=member)
        assert response.json() == {
            "issues": [
                {"member_id": str(unknown.id), "member_name": "Bo Cole", "rank_code": "Captain"}
            ],
            "total": 1,
        }

    async def test_an_organization_without_ranks_lists_every_ranked_member(
        self, org: SignedInOrganization
    ) -> None:
        async with org.sessions() as session:
            await session.execute(
                delete(OperationalRank).where(
                    OperationalRank.organization_id == org.organization_id
                )
            )
            await session.commit()
        await org.member(rank="captain")
        assert (await validate(org))["total"] == 1
