"""Which modules are on: the essentials, plus the configurable ones this backend serves."""

from typing import Any

from api.organization.schemas import ModulesRead

ALWAYS_ENABLED = ["members", "events", "documents", "roles", "settings"]
# Configurable modules and the original's defaults (app-shell spec §1.3).
MODULE_DEFAULTS = {
    "training": True,
    "inventory": True,
    "scheduling": True,
    "apparatus": True,
    "minutes": True,
    "reports": True,
    "notifications": True,
    "forms": True,
    "integrations": True,
    "facilities": True,
    "prospective_members": True,
    "public_info": True,
    "communications": False,
    "elections": False,
    "mobile": False,
    "incidents": False,
    "hr_payroll": False,
    "grants": False,
    "storefront": False,
    "medical_supplies": False,
}
# The configurable modules this backend serves: the one list a module joins when its routes
# land. Only these can be on; the rest stays hidden and a request
# to switch one on is refused. Keeping one configurable key true stops the shell from treating
# the organization as unconfigured.
SERVED = frozenset({"inventory", "notifications", "training"})


def modules_for(settings: dict[str, Any]) -> ModulesRead:
    """The organization's modules, limited to what is served."""
    stored = settings.get("modules", {}) if isinstance(settings.get("modules"), dict) else {}
    module_settings = {
        key: key in SERVED and bool(stored.get(key, default))
        for key, default in MODULE_DEFAULTS.items()
    }
    enabled = ALWAYS_ENABLED + [key for key, on in module_settings.items() if on]
    return ModulesRead(enabled_modules=enabled, module_settings=module_settings)


def not_served(switches: dict[str, bool]) -> list[str]:
    """The modules a request switches on that this backend does not serve (off is always fine)."""
    return sorted(key for key, on in switches.items() if on and key not in SERVED)
