"""Runs of scheduled work: one row per job and run key, the proof that the work was done once."""

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, IdMixin
from shared.db.types import UtcDateTime, utc_now


class ScheduledRun(IdMixin, Base):
    """One unit of scheduled work (a job for one key, e.g. one organization's day).

    The unique (job, run_key) makes one instance the runner however many tick at once. The
    runner holds a claim (`claimed_by`, `claimed_at`) while it works; a claim older than the
    lease is taken over, since its instance stopped. `finished_at` commits with the work itself;
    a run that failed `attempts` times is parked (`failed_at`) for an operator.
    """

    __tablename__ = "scheduled_runs"
    __table_args__ = (UniqueConstraint("job", "run_key", name="uq_scheduled_runs_job_key"),)

    job: Mapped[str] = mapped_column(String(100))
    run_key: Mapped[str] = mapped_column(String(200))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
