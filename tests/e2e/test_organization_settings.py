"""Organization settings through the gateway (spec §2.2, §3.4, §4 #18): deep merges, section
replacement, sealed secrets that never come back, what non-managers see, audit and events."""

import json
from pathlib import Path

import pytest

from shared.crypto import decrypt_secret
from shared.settings import Settings
from tests.api.organization_support import MASK, SETTINGS, secret_token, stored_settings
from tests.e2e.department import Department

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform."""
    return department


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
