"""The integrity route names the first broken entry of the caller's chain (app-shell spec §3.3),
and concurrent writers on MariaDB never fork a chain."""

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from api.audit.chain import GENESIS_HASH, AuditRecord, append
from api.audit.trail import AuditTrail
from shared.db.session import create_engine, create_sessionmaker
from tests.e2e.conftest import AUDIT_LOG_SIGNING_KEY
from tests.e2e.department import Department, create_admin

pytestmark = pytest.mark.e2e
INTEGRITY = "/api/v1/security/audit-log/integrity"
# The key the worker's shared platform signs with (the `department` fixture's platform).
SIGNING_KEY = AUDIT_LOG_SIGNING_KEY


def new_organization(department: Department) -> tuple[str, str]:
    """A new organization with an empty trail: (org id, administrator's username)."""
    name, admin = f"Trail {uuid.uuid4().hex[:6]}", f"t{uuid.uuid4().hex[:10]}"
    create_admin(department, name, admin)
    (row,) = department.query("SELECT id FROM organizations WHERE name = %s", name)
    return str(uuid.UUID(row["id"])), admin


def organization(department: Department) -> tuple[str, str]:
    """A new organization whose trail holds its administrator's sign-in: (org id, admin)."""
    org_id, admin = new_organization(department)
    with department.signed_in(admin):
        pass
    chain(department, org_id, at_least=1)
    return org_id, admin


def chain(department: Department, org_id: str, at_least: int = 0) -> list[dict[str, Any]]:
    """The organization's entries in chain order, once there are `at_least` (waits <= 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        rows = department.query(
            "SELECT id, event_type, severity, previous_hash, current_hash, request_id, event_data"
            " FROM audit_logs WHERE organization_id = %s ORDER BY id",
            org_id,
        )
        if len(rows) >= at_least or time.monotonic() > deadline:
            assert len(rows) >= at_least
            for row in rows:
                row["event_data"] = json.loads(row["event_data"])
            return rows
        time.sleep(0.1)


def verify(department: Department, admin: str, **params: int) -> dict[str, Any]:
    with department.signed_in(admin) as client:
        response = client.get(INTEGRITY, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"verified", "total_checked", "first_id", "last_id", "errors", "message"}
    return body


def append_entries(department: Department, org_id: str, count: int, *, concurrently: bool) -> None:
    """`count` entries written straight to the chain, each on its own session when concurrent."""

    async def run() -> None:
        engine = create_engine(department.database_url, pool_size=25)
        sessions = create_sessionmaker(engine)
        context = AuditRecord(uuid.UUID(org_id), "", "", username="probe", request_id="probe")

        start = asyncio.Barrier(count)

        async def one(number: int) -> None:
            async with sessions() as session, session.begin():
                await session.execute(text("SELECT 1"))  # connected, then all start at once
                await start.wait()
                trail = AuditTrail(session, SIGNING_KEY.encode(), context)
                await trail.record("concurrency_probe", "testing", number=number)

        try:
            if concurrently:
                await asyncio.gather(*(one(n) for n in range(count)))
            else:
                async with sessions() as session, session.begin():
                    for number in range(count):
                        record = AuditRecord(
                            uuid.UUID(org_id), "bulk_probe", "testing", event_data={"n": number}
                        )
                        await append(session, SIGNING_KEY.encode(), record)
        finally:
            await engine.dispose()

    asyncio.run(run())


def assert_linked(rows: list[dict[str, Any]]) -> None:
    """Every entry names its predecessor's hash, the first names the genesis hash."""
    previous = GENESIS_HASH
    for row in rows:
        assert row["previous_hash"] == previous, f"entry {row['id']} does not link"
        previous = row["current_hash"]


class TestUntouchedChain:
    def test_verifies_and_records_the_check(self, department: Department) -> None:
        org_id, admin = organization(department)
        with department.signed_in(admin) as client:
            response = client.get(INTEGRITY)
        body = response.json()
        rows = chain(department, org_id)
        checked = [r for r in rows if r["id"] <= body["last_id"]]
        assert body == {
            "verified": True,
            "total_checked": len(checked),
            "first_id": rows[0]["id"],
            "last_id": checked[-1]["id"],
            "errors": [],
            "message": "Audit log integrity verified",
        }
        (check,) = [r for r in rows if r["event_type"] == "audit_integrity_check"]
        assert check["severity"] == "info"
        assert check["request_id"] == response.headers["x-request-id"]
        assert check["event_data"] == {
            "verified": True,
            "total_checked": body["total_checked"],
            "first_id": body["first_id"],
            "last_id": body["last_id"],
            "errors_found": 0,
        }

    def test_fifty_concurrent_writers_leave_one_unbroken_chain(
        self, department: Department
    ) -> None:
        # A new organization: the writers also race to create the chain's head.
        org_id, admin = new_organization(department)
        append_entries(department, org_id, 50, concurrently=True)
        rows = chain(department, org_id)
        probes = [r for r in rows if r["event_type"] == "concurrency_probe"]
        assert len(probes) == 50
        assert rows[0]["previous_hash"] == GENESIS_HASH
        # None was deferred to the consumer: each append waited for the head lock instead.
        deferred = department.query(
            "SELECT COUNT(*) AS n FROM outbox WHERE subject = 'logbook.api.audit.deferred'"
        )
        assert deferred == [{"n": 0}]
        assert len({r["previous_hash"] for r in probes}) == 50
        assert len({r["previous_hash"] for r in rows}) == len(rows)
        assert_linked(rows)
        body = verify(department, admin)
        assert (body["verified"], body["errors"]) == (True, [])
        assert body["total_checked"] >= 50

    def test_concurrent_verifications_each_see_a_whole_chain(self, department: Department) -> None:
        org_id, admin = organization(department)
        with department.signed_in(admin) as client, ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(lambda _: client.get(INTEGRITY), range(20)))
        assert [a.status_code for a in answers] == [200] * 20
        assert all(a.json()["verified"] for a in answers)
        rows = chain(department, org_id)
        assert len([r for r in rows if r["event_type"] == "audit_integrity_check"]) == 20
        assert_linked(rows)
        assert verify(department, admin)["verified"] is True

    def test_a_chain_longer_than_a_batch_is_walked_whole(self, department: Department) -> None:
        org_id, admin = organization(department)
        append_entries(department, org_id, 1100, concurrently=False)
        body = verify(department, admin)
        rows = chain(department, org_id)
        assert (body["verified"], body["first_id"]) == (True, rows[0]["id"])
        assert body["total_checked"] == len([r for r in rows if r["id"] <= body["last_id"]])
        assert body["total_checked"] >= 1101
        # An entry in the third batch of 500 is still found, and named.
        target = rows[1050]
        department.query("UPDATE audit_logs SET severity = 'warning' WHERE id = %s", target["id"])
        assert [e["log_id"] for e in verify(department, admin)["errors"]] == [target["id"]]


class TestTampering:
    # Fixed forged ids: xdist workers must collect the same test ids, so none may be random.
    @pytest.mark.parametrize(
        ("column", "forged"),
        [
            ("username", "someone-else"),
            ("user_agent", "forged-agent/1.0"),
            ("session_id", "forged-session"),
            ("request_id", "forged-request"),
            ("subject_user_id", "5d1c0de0a0b14c2e9f3a7b6c5d4e3f21"),
            ("user_id", "8e2f1a3b4c5d4e6f8a9b0c1d2e3f4a5b"),
            ("ip_address", "203.0.113.99"),
            ("event_type", "logout"),
            ("event_category", "testing"),
            ("severity", "critical"),
            ("timestamp", "2020-01-01 00:00:00"),
            ("timestamp_nanos", 1577836800000000000),
            ("created_at", "2020-01-01 00:00:00.000001"),
        ],
    )
    def test_every_field_an_auditor_sees_is_covered(
        self, department: Department, column: str, forged: object
    ) -> None:
        org_id, admin = organization(department)
        target = chain(department, org_id)[0]  # the sign-in, written from auth's event
        forge = f"UPDATE audit_logs SET `{column}` = %s WHERE id = %s"  # noqa: S608 - fixed names
        department.query(forge, forged, target["id"])
        body = verify(department, admin)
        assert [e["log_id"] for e in body["errors"]] == [target["id"]], body["errors"]
        assert "altered" in body["errors"][0]["error"]

    def test_altered_event_data_is_named_at_that_entry(self, department: Department) -> None:
        org_id, admin = organization(department)
        verify(department, admin)
        verify(department, admin)
        rows = chain(department, org_id, at_least=5)  # each verify() adds a sign-in and a check
        target = rows[1]
        department.query(
            "UPDATE audit_logs SET event_data = %s WHERE id = %s", '{"forged": true}', target["id"]
        )
        body = verify(department, admin)
        assert body["verified"] is False
        assert body["message"] == "INTEGRITY FAILURE DETECTED"
        after = chain(department, org_id)
        assert body["total_checked"] == len([r for r in after if r["id"] <= body["last_id"]])
        (error,) = body["errors"]
        assert error["log_id"] == target["id"]
        assert error["expected_hash"] == target["current_hash"]
        assert error["calculated_hash"] != target["current_hash"]
        assert "altered" in error["error"]
        # The failed check is itself recorded, as critical.
        last = [r for r in after if r["event_type"] == "audit_integrity_check"][-1]
        assert (last["event_type"], last["severity"]) == ("audit_integrity_check", "critical")
        assert last["event_data"]["errors_found"] == 1

    def test_altered_severity_is_named_and_ranges_narrow_the_walk(
        self, department: Department
    ) -> None:
        org_id, admin = organization(department)
        for _ in range(3):
            verify(department, admin)
        rows = chain(department, org_id, at_least=7)
        target = rows[2]
        department.query("UPDATE audit_logs SET severity = 'critical' WHERE id = %s", target["id"])
        whole = verify(department, admin)
        assert [e["log_id"] for e in whole["errors"]] == [target["id"]]
        before = verify(department, admin, end_id=rows[1]["id"])
        assert (before["verified"], before["first_id"], before["last_id"]) == (
            True,
            rows[0]["id"],
            rows[1]["id"],
        )
        after = verify(department, admin, start_id=rows[3]["id"])
        assert (after["verified"], after["first_id"]) == (True, rows[3]["id"])
        exact = verify(department, admin, start_id=target["id"], end_id=target["id"])
        assert (exact["verified"], exact["total_checked"]) == (False, 1)
        assert exact["errors"][0]["log_id"] == target["id"]

    def test_a_deleted_entry_breaks_the_next_link(self, department: Department) -> None:
        org_id, admin = organization(department)
        verify(department, admin)
        verify(department, admin)
        rows = chain(department, org_id, at_least=5)
        department.query("DELETE FROM audit_logs WHERE id = %s", rows[1]["id"])
        body = verify(department, admin)
        (error,) = body["errors"]
        assert error["log_id"] == rows[2]["id"]
        assert error["expected_previous"] == rows[0]["current_hash"]
        assert error["actual_previous"] == rows[1]["current_hash"]

    def test_a_cut_off_tail_is_reported(self, department: Department) -> None:
        org_id, admin = organization(department)
        verify(department, admin)
        # Signed in before the cut, so no later sign-in entry becomes the new tail.
        with department.signed_in(admin) as client:
            rows = chain(department, org_id, at_least=4)
            department.query("DELETE FROM audit_logs WHERE id = %s", rows[-1]["id"])
            body = client.get(INTEGRITY).json()
        (error,) = body["errors"]
        assert error["log_id"] == rows[-1]["id"]
        assert error["checkpoint_last_log_id"] == rows[-1]["id"]
        assert error["chain_last_id"] == rows[-2]["id"]
        assert "truncated" in error["error"]

    def test_another_organizations_tampering_is_not_ours(self, department: Department) -> None:
        org_id, _ = organization(department)
        victim = chain(department, org_id)[0]
        department.query("UPDATE audit_logs SET event_data = '{}' WHERE id = %s", victim["id"])
        own = verify(department, department.admin_username)
        assert own["verified"] is True
        assert httpx.get(f"{department.gateway}{INTEGRITY}").status_code == 401


def previous_release_hash(row: dict[str, Any], previous_hash: str) -> str:
    """An entry's hash as the release before hash version 4 wrote it (spec §3.2 v3 with the
    [fix] of event_category and severity)."""
    parts = [
        row["timestamp"].isoformat(timespec="microseconds"),
        str(row["timestamp_nanos"]),
        row["event_type"],
        row["event_category"],
        row["severity"],
        str(row["user_id"]),
        str(row["organization_id"]),
        str(row["ip_address"]),
        json.dumps(row["event_data"], sort_keys=True),
        previous_hash,
    ]
    return hmac.new(SIGNING_KEY.encode(), "|".join(parts).encode(), hashlib.sha256).hexdigest()


def previous_release_trail(department: Department) -> tuple[str, str, list[int]]:
    """A new organization whose trail starts with two version-3 entries, the second naming a
    subject member (filled in by migration 0007), then live entries: (org id, admin, v3 ids)."""
    org_id, admin = new_organization(department)
    subject = uuid.uuid4()
    previous, ids = GENESIS_HASH, []
    for number, event_data in enumerate(
        [{"number": 1}, {"target_user_id": str(subject), "reason": "old"}]
    ):
        at = datetime(2026, 1, 1, 12, 0, number, tzinfo=UTC)
        row = {
            "organization_id": uuid.UUID(org_id),
            "timestamp": at,
            "timestamp_nanos": int(at.timestamp()) * 1_000_000_000,
            "event_type": "old_release_event",
            "event_category": "testing",
            "severity": "info",
            "user_id": None,
            "ip_address": "192.0.2.1",
            "event_data": event_data,
        }
        current = previous_release_hash(row, previous)
        with department.connect() as db, db.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_logs (organization_id, timestamp, timestamp_nanos, event_type,"
                " event_category, severity, user_id, subject_user_id, username, session_id,"
                " ip_address, user_agent, request_id, event_data, previous_hash, current_hash,"
                " hash_version, created_at) VALUES (%s, %s, %s, %s, %s, %s, NULL, %s, 'old-admin',"
                " 'old-session', %s, 'old-agent', 'old-request', %s, %s, %s, 3, %s)",
                (
                    uuid.UUID(org_id).hex,
                    at.replace(tzinfo=None),
                    row["timestamp_nanos"],
                    row["event_type"],
                    row["event_category"],
                    row["severity"],
                    subject.hex if "target_user_id" in event_data else None,
                    row["ip_address"],
                    json.dumps(event_data),
                    previous,
                    current,
                    at.replace(tzinfo=None),
                ),
            )
            ids.append(cursor.lastrowid)
            cursor.execute(
                "INSERT INTO audit_chain_heads (organization_id, last_id, last_hash)"
                " VALUES (%s, %s, %s) ON DUPLICATE KEY UPDATE last_id = VALUES(last_id),"
                " last_hash = VALUES(last_hash)",
                (uuid.UUID(org_id).hex, cursor.lastrowid, current),
            )
        previous = current
    with department.signed_in(admin):
        pass
    chain(department, org_id, at_least=3)  # the sign-in, written by this release
    return org_id, admin, ids


class TestPreviousVersion:
    def test_entries_of_the_previous_version_still_verify(self, department: Department) -> None:
        org_id, admin, _ = previous_release_trail(department)
        body = verify(department, admin)
        assert (body["verified"], body["errors"]) == (True, [])
        rows = chain(department, org_id)
        assert body["total_checked"] == len([r for r in rows if r["id"] <= body["last_id"]])
        assert body["total_checked"] >= 3
        versions = department.query(
            "SELECT hash_version FROM audit_logs WHERE organization_id = %s ORDER BY id",
            uuid.UUID(org_id).hex,
        )
        assert [v["hash_version"] for v in versions[:2]] == [3, 3]
        assert {v["hash_version"] for v in versions[2:]} == {4}

    def test_an_altered_previous_version_entry_is_still_named(self, department: Department) -> None:
        _, admin, ids = previous_release_trail(department)
        department.query("UPDATE audit_logs SET severity = 'critical' WHERE id = %s", ids[0])
        body = verify(department, admin)
        assert [e["log_id"] for e in body["errors"]] == [ids[0]]

    @pytest.mark.parametrize("forged", ["3b9d2c1e0f5a4b6c8d7e9f0a1b2c3d4e", None])
    def test_a_previous_version_entrys_subject_must_be_the_one_its_data_names(
        self, department: Department, forged: str | None
    ) -> None:
        # Version 3 left subject_user_id outside the hash, but it is derived from event_data,
        # which the hash covers: a subject other than the derived one is reported.
        _, admin, ids = previous_release_trail(department)
        department.query("UPDATE audit_logs SET subject_user_id = %s WHERE id = %s", forged, ids[1])
        body = verify(department, admin)
        assert [e["log_id"] for e in body["errors"]] == [ids[1]]
        assert "subject" in body["errors"][0]["error"]
