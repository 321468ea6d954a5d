"""What the fuzz run found, each reproduced as the one request that showed it."""

import pytest

from tests.api.signed_in import SignedInOrganization, signed_in_organization  # noqa: F401


@pytest.mark.parametrize(
    ("parameter", "value"),
    # Valid RFC 3339, but a minute past the first or before the last instant a UTC datetime has.
    [("end_date", "0001-01-01T00:00:00.0+01:02"), ("start_date", "9999-12-31T23:59:59-05:00")],
)
async def test_an_audit_date_without_a_utc_time_is_a_422(
    org: SignedInOrganization, parameter: str, value: str
) -> None:
    response = await org.api.get("/api/v1/audit-logs", params={parameter: value}, headers=org.admin)
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == [{"field": parameter, "message": "Invalid date"}]
