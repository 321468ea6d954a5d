"""Role edits and deletes through the gateway (spec §3.3, §4 #3, #6, #16): ceilings, system
roles, the last administrator, tenancy, and members' permissions following at once."""

import pytest

from tests.api.audit_support import audit_entry
from tests.api.roles_support import ROLES, stored_permissions, system_role
from tests.e2e.department import Department

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform."""
    return department


class TestUpdateRole:
    def test_the_edit_ceiling_protects_what_a_role_grants_now(self, dept: Department) -> None:
        owner = system_role(dept, "it_manager")
        _, chief = dept.add_member("fire_chief")
        with dept.signed_in(chief) as client:
            response = client.patch(
                f"{ROLES}/{owner['id']}", json={"permissions": ["members.view"]}
            )
        assert (response.status_code, response.json()["code"]) == (403, "LB-PERM-001")
        assert stored_permissions(dept, owner["id"]) == ["*"]
        blocked = audit_entry(dept, "privilege_escalation_blocked", target=f"role:{owner['id']}")
        assert blocked["severity"] == "critical"
