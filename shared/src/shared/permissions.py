"""The permission rule every service applies: `*`, `<module>.*`, or the exact name."""

from collections.abc import Iterable


def grants(held: Iterable[str], wanted: str) -> bool:
    """True when any held permission grants `wanted`."""
    granting = {"*", wanted, f"{wanted.split('.', 1)[0]}.*"}
    return not granting.isdisjoint(held)


def grants_any(held: Iterable[str], wanted: Iterable[str]) -> bool:
    """Permission lists on routes are OR-lists."""
    held_set = frozenset(held)
    return any(grants(held_set, name) for name in wanted)
