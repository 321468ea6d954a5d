"""Helpers the organization tests share (no tests here): the settings document and its row."""

import json
import uuid
from typing import Any

from tests.api.department import Department as InProcessDepartment
from tests.e2e.department import Department as GatewayDepartment

# The helpers serve the in-process tests and those through the gateway alike.
Department = InProcessDepartment | GatewayDepartment

SETTINGS = "/api/v1/organization/settings"
MASK = "••••••••"
SECTIONS = {
    "contact_info_visibility",
    "membership_id",
    "email_service",
    "file_storage",
    "auth",
    "it_team",
    "department_email",
    "membership_tiers",
    "member_drop_notifications",
    "setup",
    "modules",
}


def stored_settings(dept: Department, organization_id: str | None = None) -> dict[str, Any]:
    org = uuid.UUID(organization_id or dept.organization_id).hex
    row = dept.query("SELECT settings FROM organizations WHERE id = %s", org)[0]
    return dict(json.loads(row["settings"]))


def secret_token() -> str:
    return f"Sekrit-{uuid.uuid4().hex}"
