"""Organization settings through the gateway (spec §2.2, §3.4, §4 #18): deep merges, section
replacement, sealed secrets that never come back, what non-managers see, audit and events."""

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from shared.crypto import decrypt_secret
from shared.settings import Settings
from tests.e2e.department import Department

pytestmark = pytest.mark.e2e
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


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform."""
    return department


def stored_settings(dept: Department, organization_id: str | None = None) -> dict[str, Any]:
    org = uuid.UUID(organization_id or dept.organization_id).hex
    row = dept.query("SELECT settings FROM organizations WHERE id = %s", org)[0]
    return dict(json.loads(row["settings"]))


def stack_settings(dept: Department) -> Settings:
    """The encryption keys `logbook run` generated for the stack under test."""
    path = Path(dept.stack.env["DATA_DIR"]) / "dev-secrets.env"
    pairs = dict(
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if line and not line.startswith("#")
    )
    return Settings(
        encryption_key=pairs["ENCRYPTION_KEY"], encryption_salt=pairs["ENCRYPTION_SALT"]
    )


def secret_token() -> str:
    return f"Sekrit-{uuid.uuid4().hex}"


class TestSecrets:
    def test_a_secret_is_sealed_masked_and_kept_when_echoed(self, dept: Department) -> None:
        token = secret_token()
        section = {"enabled": True, "platform": "selfhosted", "smtp_host": "mail.example.org"}
        with dept.signed_in(dept.admin_username) as admin:
            written = admin.patch(f"{SETTINGS}/email", json={**section, "smtp_password": token})
            sealed = stored_settings(dept)["email_service"]["smtp_password"]
            echoed = admin.patch(
                f"{SETTINGS}/email",
                json={**section, "smtp_port": 2525, "smtp_password": MASK},
            )
            kept = stored_settings(dept)["email_service"]["smtp_password"]
            read = admin.get(SETTINGS).json()["email_service"]
        assert written.status_code == 200
        assert written.json()["smtp_password"] == MASK
        assert written.json()["google_client_secret"] is None
        assert sealed.startswith("enc:")
        assert token not in json.dumps(stored_settings(dept))
        assert decrypt_secret(stack_settings(dept), sealed.removeprefix("enc:")) == token
        assert echoed.json()["smtp_port"] == 2525
        assert kept == sealed
        assert read["smtp_password"] == MASK
        logs = json.dumps(dept.stack.json_lines())
        assert token not in logs
