"""Revision 0007 names the member each existing audit entry is about (their history's index)."""

import json
import uuid

from alembic import command
from sqlalchemy import text

from shared.db.migrate import alembic_config
from shared.db.session import create_engine


async def test_existing_entries_get_their_subject_and_nothing_hashed_changes(
    fresh_mariadb: str,
) -> None:
    engine = create_engine(fresh_mariadb)
    member, other = uuid.uuid4(), uuid.uuid4()
    entries = [
        {"target_user_id": str(member), "action": "role_added"},
        {"viewed_user_id": str(other)},
        {"settings_changed": ["modules"]},  # about no member
        {"target_user_id": "not-a-uuid"},
    ]
    try:
        async with engine.connect() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0006"))
            for n, data in enumerate(entries, start=1):
                await connection.execute(
                    text(
                        "INSERT INTO audit_logs (id, organization_id, timestamp, timestamp_nanos,"
                        " event_type, event_category, severity, event_data, previous_hash,"
                        " current_hash, hash_version, created_at) VALUES (:id, :org,"
                        " UTC_TIMESTAMP(), 0, 'probe', 'test', 'info', :data, :prev, :cur, 3,"
                        " UTC_TIMESTAMP())"
                    ),
                    {
                        "id": n,
                        "org": str(uuid.uuid4()),
                        "data": json.dumps(data),
                        "prev": "0" * 64,
                        "cur": f"{n:064d}",
                    },
                )
            await connection.commit()
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0007"))
            await connection.commit()
            rows = (
                await connection.execute(
                    text(
                        "SELECT subject_user_id, event_data, current_hash"
                        " FROM audit_logs ORDER BY id"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    subjects = [None if r[0] is None else uuid.UUID(str(r[0])) for r in rows]
    assert subjects == [member, other, None, None]
    assert [json.loads(r[1]) for r in rows] == entries
    assert [r[2] for r in rows] == [f"{n:064d}" for n in range(1, 5)]
