"""The inventory service: rules, audit entries and events of one request."""

from api.inventory.service._service import InventoryService

__all__ = ["InventoryService"]
