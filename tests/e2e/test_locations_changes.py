"""Location edits, deletes and code rotation, and operational ranks, through the gateway
(spec §2.7, §3.5, §4 #20, §5, §6)."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from shared.catalog.system_roles import DEFAULT_RANKS
from tests.api.locations_support import RANKS, unique
from tests.e2e.department import Department, create_admin

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dept(department: Department) -> Department:
    """The module's organization on the worker's shared platform."""
    return department


class TestOperationalRanks:
    def test_simultaneous_first_reads_seed_once_and_all_succeed(self, dept: Department) -> None:
        name, owner = unique("Fresh Department"), f"o{uuid.uuid4().hex[:10]}"
        create_admin(dept, name, owner)
        org = dept.query("SELECT id FROM organizations WHERE name = %s", name)[0]["id"]
        clients = [dept.signed_in(owner) for _ in range(6)]
        signed_in = [client.__enter__() for client in clients]
        try:

            def first_read(client: httpx.Client) -> tuple[int, int]:
                response = client.get(RANKS)
                return response.status_code, len(response.json())

            with ThreadPoolExecutor(6) as pool:
                results = list(pool.map(first_read, signed_in))
        finally:
            for client in clients:
                client.__exit__(None, None, None)
        assert results == [(200, len(DEFAULT_RANKS))] * 6
        rows = dept.query(
            "SELECT rank_code FROM operational_ranks WHERE organization_id = %s",
            uuid.UUID(str(org)).hex,
        )
        assert len(rows) == len(DEFAULT_RANKS)
