"""Pool issuance bodies and shape (spec inventory.md §6.4, §7.4)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from api.inventory.schemas._assignments import ReturnCondition
from api.inventory.schemas._common import Notes
from shared.models import ChargeStatus, ItemCondition

# At least one unit; far more than any pool holds, and inside MariaDB's INT.
Units = Annotated[int, Meta(ge=1, le=1_000_000_000)]


class IssueRequest(msgspec.Struct, kw_only=True):
    """Issue units of a pool item to a member."""

    user_id: UUID
    quantity: Units = 1
    issue_reason: Notes | None = None
    # Allowances are LATER: until they exist nothing is capped, so nothing needs overriding.
    override_allowance: bool = False


class PoolReturnRequest(msgspec.Struct, kw_only=True):
    """Units coming back; all that are still out unless `quantity_returned` says fewer."""

    return_condition: ReturnCondition | None = None
    return_notes: Notes | None = None
    quantity_returned: Units | None = None


class IssuanceRead(msgspec.Struct, kw_only=True):
    """An issuance (§7.4), with the member's and the item's names for the pool page."""

    id: UUID
    organization_id: UUID
    item_id: UUID
    user_id: UUID
    quantity_issued: int
    issued_at: datetime
    returned_at: datetime | None
    issued_by: UUID | None
    returned_by: UUID | None
    issue_reason: str | None
    return_condition: ItemCondition | None
    return_notes: str | None
    is_returned: bool
    unit_cost_at_issuance: Decimal | None
    charge_status: ChargeStatus
    charge_amount: Decimal | None
    created_at: datetime
    updated_at: datetime
    user_name: str | None = None
    item_name: str | None = None
