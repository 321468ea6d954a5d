"""What the in-process and the gateway `Department` share: how a member is added, up to the row.

The gateway's Department writes committed rows with SQL into a running platform's database; the
in-process one writes through the models on the test's rolled-back connection. Both give a new
member the same values and answer the same `add_member` call.
"""

import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from tests.support.factories import EMAIL_DOMAIN


@dataclass(frozen=True)
class MemberValues:
    """The `users` values `add_member` gives a member, whichever way it writes the row."""

    username: str
    email: str
    first_name: str
    last_name: str
    rank: str | None
    status: str


class AddsMembers(ABC):
    """`add_member` of both Departments; each writes the member its own way."""

    organization_id: str

    def add_member(
        self,
        *role_slugs: str,
        rank: str | None = None,
        status: str = "active",
        organization_id: str | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
    ) -> tuple[str, str]:
        """A member holding the given system roles; returns (user id, username)."""
        username = username or f"m{uuid.uuid4().hex[:10]}"
        values = MemberValues(
            username=username,
            email=f"{username}@{EMAIL_DOMAIN}",
            first_name=first_name,
            last_name=last_name or username,
            rank=rank,
            status=status,
        )
        org = organization_id or self.organization_id
        return self.write_member(values, role_slugs, org), username

    @abstractmethod
    def write_member(
        self, values: MemberValues, role_slugs: Sequence[str], organization_id: str
    ) -> str:
        """Write the member and their roles; returns the member's id."""
