"""The settings document: defaults, deep merges, sealed secrets and what each caller may read.

Secrets are stored as `enc:` + AES-GCM text and only ever read back as a mask; an echoed mask
keeps the stored value. Nothing here logs values.
"""

import copy
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from api.organization.modules import MODULE_DEFAULTS, modules_for
from api.organization.sections import INFRASTRUCTURE, SECRETS, SECTIONS

MASK = "••••••••"
SEALED_PREFIX = "enc:"
Seal = Callable[[str], str]


def section_defaults(name: str) -> dict[str, Any]:
    """A known section's defaults as JSON-ready values."""
    defaults: dict[str, Any] = msgspec.to_builtins(SECTIONS[name]())
    return defaults


def stored_section(settings: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A section as stored (empty when missing or not an object)."""
    value = settings.get(name)
    return dict(value) if isinstance(value, dict) else {}


def deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`patch` over `base`: objects merge key by key, anything else replaces."""
    merged = copy.deepcopy(dict(base))
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def seal_secrets(
    name: str, incoming: Mapping[str, Any], stored: Mapping[str, Any], seal: Seal
) -> dict[str, Any]:
    """`incoming` with its secrets sealed; the mask keeps the stored value, empty clears."""
    sealed = dict(incoming)
    for field in SECRETS.get(name, frozenset()) & incoming.keys():
        value = incoming[field]
        if value == MASK:
            sealed[field] = stored.get(field)
        elif isinstance(value, str) and value:
            sealed[field] = SEALED_PREFIX + seal(value)
        else:
            sealed[field] = None
    return sealed


def apply_patch(
    settings: Mapping[str, Any], patch: Mapping[str, Any], seal: Seal
) -> dict[str, Any]:
    """The document after a deep-merge PATCH (known sections already validated)."""
    document = copy.deepcopy(dict(settings))
    for key, value in patch.items():
        if key in SECTIONS:
            current = stored_section(document, key)
            document[key] = {**current, **seal_secrets(key, value, current, seal)}
        elif key == "modules":
            document[key] = {**stored_section(document, key), **value}
        elif isinstance(value, dict) and isinstance(document.get(key), dict):
            document[key] = deep_merge(document[key], value)
        else:
            document[key] = copy.deepcopy(value)
    return document


def replace_section(
    settings: Mapping[str, Any], name: str, section: Mapping[str, Any], seal: Seal
) -> dict[str, Any]:
    """The document with one section replaced as a whole (secrets sealed or kept)."""
    document = copy.deepcopy(dict(settings))
    document[name] = seal_secrets(name, section, stored_section(settings, name), seal)
    return document


def section_view(settings: Mapping[str, Any], name: str, *, manage: bool) -> dict[str, Any]:
    """A known section with defaults filled, secrets masked, identifiers hidden if need be."""
    view = {**section_defaults(name), **stored_section(settings, name)}
    for field in SECRETS.get(name, frozenset()):
        view[field] = MASK if view.get(field) else None
    if not manage:
        for field in INFRASTRUCTURE.get(name, frozenset()):
            view[field] = None
        if name == "it_team":
            view = {"members": [], "backup_access": {}}
    return view


def document_view(settings: Mapping[str, Any], *, manage: bool) -> dict[str, Any]:
    """The whole document as GET answers it: free keys included, every secret masked."""
    view = {
        key: copy.deepcopy(value)
        for key, value in settings.items()
        if key not in SECTIONS and key != "modules"
    }
    for name in SECTIONS:
        view[name] = section_view(settings, name, manage=manage)
    view["modules"] = modules_for(dict(settings)).module_settings
    return view


def module_patch(body: Mapping[str, Any]) -> dict[str, bool]:
    """The known module switches of a body (others are ignored; values already checked)."""
    return {key: bool(value) for key, value in body.items() if key in MODULE_DEFAULTS}
