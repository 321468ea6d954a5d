"""Walks one organization's chain and names what is broken (app-shell spec §3.3).

Entries are read in id order in bounded batches, so a long trail never sits in memory at
once. Each entry's HMAC is recomputed with its own hash version and its link to the entry
before it is checked; a walk without an end must also reach the entry the chain head names,
else the tail was cut off.
"""

import hmac
from dataclasses import dataclass, field
from typing import Any

from api.audit.chain import COVERED_FIELDS, GENESIS_HASH, entry_hash, subject_of
from api.audit.repository import AuditLogRepository
from shared.models import AuditLog

BATCH_SIZE = 500
MAX_REPORTED_ERRORS = 100  # the first ones; `errors_found` still counts them all
LEGACY_MAX_ID = 0  # no unkeyed (v1) entries were ever imported into our chains
LEGACY_VERSION = 1
V3 = 3
# The subject keys when version 3 was current: its entries' subject_user_id (outside their hash,
# filled by migration 0007 for the oldest) was derived from event_data with exactly these.
V3_SUBJECT_KEYS = ("target_user_id", "updated_user_id", "viewed_user_id", "new_user_id")


@dataclass
class ChainReport:
    """What a walk found: the range it covered and its errors, first broken entry first."""

    total_checked: int = 0
    first_id: int | None = None
    last_id: int | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_found: int = 0

    @property
    def verified(self) -> bool:
        """True when nothing was broken."""
        return self.errors_found == 0

    def fail(self, log_id: int | None, error: str, **details: Any) -> None:
        """Note one broken entry (kept in the report while under the cap)."""
        self.errors_found += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"log_id": log_id, "error": error, **details})


@dataclass
class _Walk:
    """State carried from one entry to the next."""

    key: bytes
    previous_hash: str
    report: ChainReport
    highest_version: int = 0

    def check(self, entry: AuditLog) -> None:
        version = entry.hash_version or LEGACY_VERSION  # null means v1 (§3.1)
        self._check_version(entry, version)
        if version in COVERED_FIELDS:
            calculated = entry_hash(self.key, entry)
            if not hmac.compare_digest(calculated, entry.current_hash):
                self.report.fail(
                    entry.id,
                    "Hash mismatch: the entry was altered after it was written",
                    expected_hash=entry.current_hash,
                    calculated_hash=calculated,
                )
        if version == V3:
            self._check_v3_subject(entry)
        if entry.previous_hash != self.previous_hash:
            self.report.fail(
                entry.id,
                "Broken link: previous_hash is not the preceding entry's hash",
                expected_previous=self.previous_hash,
                actual_previous=entry.previous_hash,
            )
        self.previous_hash = entry.current_hash
        self.highest_version = max(self.highest_version, version)
        self.report.total_checked += 1
        self.report.first_id = self.report.first_id or entry.id
        self.report.last_id = entry.id

    def _check_version(self, entry: AuditLog, version: int) -> None:
        if version < self.highest_version:
            self.report.fail(
                entry.id,
                "Hash version downgrade",
                row_version=version,
                expected_min_version=self.highest_version,
            )
        elif version == LEGACY_VERSION and entry.id > LEGACY_MAX_ID:
            self.report.fail(
                entry.id,
                "Unkeyed entry after the legacy boundary",
                row_version=version,
                legacy_max_id=LEGACY_MAX_ID,
            )
        elif version not in COVERED_FIELDS:
            self.report.fail(entry.id, "Unknown hash version", row_version=version)

    def _check_v3_subject(self, entry: AuditLog) -> None:
        # The hash covers event_data, so the subject derived from it is the one to trust.
        derived = subject_of(entry.event_data or {}, V3_SUBJECT_KEYS)
        if entry.subject_user_id != derived:
            self.report.fail(
                entry.id,
                "Subject mismatch: subject_user_id was altered, event_data names another member",
                expected_subject=str(derived) if derived else None,
                actual_subject=str(entry.subject_user_id) if entry.subject_user_id else None,
            )


async def verify_chain(
    entries: AuditLogRepository, key: bytes, start_id: int | None, end_id: int | None
) -> ChainReport:
    """Check the organization's entries with ids in [start_id, end_id] (open ends: all)."""
    # The head first: in one repeatable-read snapshot, the entries read next are consistent
    # with it even while other requests append.
    head = await entries.head()
    before = await entries.hash_before(start_id) if start_id is not None else None
    walk = _Walk(key, before or GENESIS_HASH, ChainReport())
    after_id = start_id - 1 if start_id is not None else 0
    async for batch in entries.in_chain_order(after_id, end_id, BATCH_SIZE):
        for entry in batch:
            walk.check(entry)
    report = walk.report
    reached = report.last_id
    # A range that starts past the last entry found nothing to compare with the head.
    started_inside = start_id is None or reached is not None
    if end_id is None and head is not None and head[0] != reached and started_inside:
        report.fail(
            head[0],
            "Chain tail truncated: entries after the last one found are missing",
            checkpoint_last_log_id=head[0],
            chain_last_id=reached,
        )
    return report
