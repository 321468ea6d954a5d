"""The locations area: locations with their kiosk codes, and operational ranks."""
