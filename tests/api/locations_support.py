"""Helpers the location tests share (no tests here): fields, rows and new locations."""

import re
import uuid
from typing import Any

from tests.api.department import Department as InProcessDepartment
from tests.e2e.department import Department as GatewayDepartment

# The helpers serve the in-process tests and those through the gateway alike.
Department = InProcessDepartment | GatewayDepartment

LOCATIONS = "/api/v1/locations"
CODE = re.compile(r"^[a-km-np-z2-9]{8}$")
LIST_FIELDS = {
    "id",
    "organization_id",
    "name",
    "description",
    "address",
    "city",
    "state",
    "zip",
    "building",
    "floor",
    "room_number",
    "capacity",
    "is_active",
    "facility_id",
    "facility_room_id",
    "display_code",
    "created_by",
    "created_at",
    "updated_at",
}
RANKS = "/api/v1/operational-ranks"
RANK_FIELDS = {
    "id",
    "organization_id",
    "rank_code",
    "display_name",
    "description",
    "sort_order",
    "is_active",
    "eligible_positions",
    "created_at",
    "updated_at",
}


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def location_row(dept: Department, location_id: str) -> dict[str, Any] | None:
    rows = dept.query("SELECT * FROM locations WHERE id = %s", uuid.UUID(location_id).hex)
    return rows[0] if rows else None


def new_location(dept: Department, **body: Any) -> dict[str, Any]:
    with dept.signed_in(dept.admin_username) as admin:
        response = admin.post(LOCATIONS, json={"name": unique("Bay"), **body})
    assert response.status_code == 201, response.text
    return dict(response.json())
