"""What GET /organization/profile answers, PATCH takes back (issue 11, fix 1).

The settings page sends the whole profile as it read it, with "" for an empty email and logo;
that was a 422 on `email`, then on `logo`, so no profile could be saved.
"""

from sqlalchemy import select

from shared.models import Organization
from tests.api.signed_in import SignedInOrganization, signed_in_organization  # noqa: F401

PROFILE = "/api/v1/organization/profile"
TINY_PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


async def round_trip(org: SignedInOrganization) -> tuple[dict[str, object], dict[str, object]]:
    """The profile as read, and what PATCHing it back answers."""
    read = await org.api.get(PROFILE, headers=org.admin)
    assert read.status_code == 200, read.text
    saved = await org.api.patch(PROFILE, json=read.json(), headers=org.admin)
    assert saved.status_code == 200, saved.text
    return read.json(), saved.json()


async def stored(org: SignedInOrganization) -> Organization:
    async with org.sessions() as session:
        found = await session.scalar(
            select(Organization).where(Organization.id == org.organization_id)
        )
    assert found is not None
    return found


class TestProfileRoundTrip:
    async def test_a_profile_without_email_or_logo_saves_as_read(
        self, org: SignedInOrganization
    ) -> None:
        read, saved = await round_trip(org)
        assert (read["email"], read["logo"], read["website"]) == ("", "", "")
        assert saved == read
        row = await stored(org)
        assert (row.email, row.logo, row.website) == (None, None, None)

    async def test_a_filled_in_profile_saves_as_read(self, org: SignedInOrganization) -> None:
        filled = {
            "email": "chief@station9.example.org",
            "logo": TINY_PNG,
            "website": "https://station9.example.org",
            "phone": "555-0109",
            "founded_year": 1923,
            "mailing_address": {"line1": "9 Engine Way", "city": "Springfield", "zip": "62704"},
        }
        first = await org.api.patch(PROFILE, json=filled, headers=org.admin)
        assert first.status_code == 200, first.text
        read, saved = await round_trip(org)
        assert saved == read
        assert (read["email"], read["logo"]) == (filled["email"], TINY_PNG)

    async def test_an_empty_string_clears_an_optional_field(
        self, org: SignedInOrganization
    ) -> None:
        filled = {"email": "chief@station9.example.org", "logo": TINY_PNG, "county": "Sangamon"}
        assert (await org.api.patch(PROFILE, json=filled, headers=org.admin)).status_code == 200
        cleared = await org.api.patch(
            PROFILE, json={"email": "", "logo": "", "county": ""}, headers=org.admin
        )
        assert cleared.status_code == 200, cleared.text
        assert (cleared.json()["email"], cleared.json()["logo"]) == ("", "")
        row = await stored(org)
        assert (row.email, row.logo, row.county) == (None, None, None)

    async def test_a_malformed_email_or_logo_is_still_refused(
        self, org: SignedInOrganization
    ) -> None:
        for body in ({"email": "not-an-address"}, {"logo": "data:image/svg+xml;base64,PHN2Zz4="}):
            response = await org.api.patch(PROFILE, json=body, headers=org.admin)
            assert (response.status_code, response.json()["code"]) == (422, "LB-VAL-001")
