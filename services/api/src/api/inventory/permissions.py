"""Route guards of the inventory area: `manage` does not imply `view` (spec inventory.md §1)."""

from shared.principal import requires

INVENTORY_VIEW = requires("inventory.view")
INVENTORY_MANAGE = requires("inventory.manage")
