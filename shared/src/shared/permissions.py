"""The permission rule every service applies: `*`, `<module>.*`, or the exact name."""

from collections.abc import Iterable

from shared.catalog.system_roles import rank_permissions
from shared.models import User


def grants(held: Iterable[str], wanted: str) -> bool:
    """True when any held permission grants `wanted`."""
    granting = {"*", wanted, f"{wanted.split('.', 1)[0]}.*"}
    return not granting.isdisjoint(held)


def grants_any(held: Iterable[str], wanted: Iterable[str]) -> bool:
    """Permission lists on routes are OR-lists."""
    held_set = frozenset(held)
    return any(grants(held_set, name) for name in wanted)


def effective_permissions(user: User) -> frozenset[str]:
    """The member's roles' permissions plus their rank's defaults (§2.6); roles must be loaded."""
    held = {name for up in user.positions for name in up.position.permissions}
    return frozenset(held.union(rank_permissions(user.rank)))
