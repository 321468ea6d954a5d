"""Bodies of the organization routes."""

import msgspec


class ModulesRead(msgspec.Struct):
    """Which modules the shell shows (app-shell spec §1.3)."""

    enabled_modules: list[str]
    module_settings: dict[str, bool]
