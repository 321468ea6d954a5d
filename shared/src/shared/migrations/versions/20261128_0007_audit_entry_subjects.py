"""audit entries name their subject member

A member's audit history is read through an index instead of a search of every entry's JSON.
The new column is derived from `event_data` and is not covered by the chain's hash, so filling
it for existing entries alters nothing the integrity check verifies.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 17:19:42.544211
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The keys naming an entry's member when this revision was written (api.audit.chain).
SUBJECT_KEYS = ("target_user_id", "updated_user_id", "viewed_user_id", "new_user_id")
BATCH = 1000
AUDIT_LOGS = sa.table(
    "audit_logs",
    sa.column("id", sa.BigInteger()),
    sa.column("event_data", sa.JSON()),
    sa.column("subject_user_id", sa.Uuid()),
)


def _subject(event_data: Any) -> UUID | None:
    for key in SUBJECT_KEYS:
        try:
            return UUID(str(event_data[key]))
        except (KeyError, TypeError, ValueError):
            continue
    return None


def _backfill() -> None:
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(AUDIT_LOGS.c.id, AUDIT_LOGS.c.event_data)
            .where(AUDIT_LOGS.c.id > last_id)
            .order_by(AUDIT_LOGS.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row_id, event_data in rows:
            subject = _subject(event_data)
            if subject is not None:
                bind.execute(
                    sa.update(AUDIT_LOGS)
                    .where(AUDIT_LOGS.c.id == row_id)
                    .values(subject_user_id=subject)
                )
        last_id = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_user_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            "ix_audit_logs_org_subject", ["organization_id", "subject_user_id", "id"], unique=False
        )
    _backfill()


def downgrade() -> None:
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_logs_org_subject")
        batch_op.drop_column("subject_user_id")
