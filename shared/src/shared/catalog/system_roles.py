"""The system roles seeded for every organization (§2.9) and the rank defaults (§2.7).

Core-area grants are listed exactly as the spec gives them; "manage-level in <module>" grants
every permission of that catalogue category. Ranks carry the list of the system role whose slug
is the rank code; other codes grant nothing.
"""

from dataclasses import dataclass

from shared.catalog.permissions import category_permissions

_VIEW_MODULES = [
    "apparatus",
    "compliance",
    "documents",
    "elections",
    "events",
    "facilities",
    "forms",
    "inventory",
    "locations",
    "meetings",
    "members",
    "minutes",
    "notifications",
    "organization",
    "scheduling",
    "storefront",
    "training",
]
MEMBER = [f"{m}.view" for m in _VIEW_MODULES] + [
    "equipment_check.submit",
    "scheduling.swap",
    "storefront.order",
]
LEADER = [p for p in MEMBER if p != "scheduling.swap"] + [
    "users.view",
    "users.view_contact",
    "positions.view",
    "settings.view",
    "legal.propose",
    "training.view_all",
    "audit.view",
    "analytics.view",
    "equipment_check.view",
    "fundraising.view",
    "reports.view",
    "prospective_members.view",
]
_EQUIPMENT_CHECK = ["equipment_check.view", "equipment_check.manage", "equipment_check.submit"]
_MEDICAL_INVENTORY = ["inventory.view_medical", "inventory.manage_medical"]


def _modules(*categories: str) -> list[str]:
    return [p for category in categories for p in category_permissions(category)]


def _users(*actions: str) -> list[str]:
    return [f"users.{a}" for a in actions]


def _members(*actions: str) -> list[str]:
    return [f"members.{a}" for a in actions]


def _locations(*actions: str) -> list[str]:
    return [f"locations.{a}" for a in actions]


_ALL_MEMBERS = _members("view", "manage", "assign_positions", "create")
_ALL_LOCATIONS = _locations("view", "create", "edit", "delete", "manage")
_VIEW_CORE = ["positions.view", "organization.view", "settings.view"]
_OPERATIONAL = _modules(
    "training", "scheduling", "events", "apparatus", "facilities", "compliance", "forms"
)
_CHIEF_CORE = (
    _users("view", "create", "edit", "delete", "view_contact", "update_positions")
    + _ALL_MEMBERS
    + _modules("positions")
    + ["organization.view", "organization.edit", "organization.update_settings"]
    + ["settings.view", "settings.edit", "settings.manage", "settings.manage_contact_visibility"]
    + ["security.manage", "admin.access"]
    + _ALL_LOCATIONS
)
_CHIEF_MODULES = [
    p
    for p in _modules(
        "training",
        "compliance",
        "scheduling",
        "inventory",
        "meetings",
        "elections",
        "fundraising",
        "audit",
        "events",
        "forms",
        "minutes",
        "documents",
        "apparatus",
        "facilities",
        "analytics",
        "integrations",
        "notifications",
        "reports",
        "prospective_members",
    )
    if p not in {"medical_screening.view", "medical_screening.manage", "reports.manage"}
] + ["legal.propose", "legal.publish"]
_DEPUTY_CORE = (
    _users("view", "create", "edit", "view_contact", "update_positions")
    + _ALL_MEMBERS
    + ["positions.view", "organization.view", "settings.view"]
    + _ALL_LOCATIONS
)
_PRESIDENT_DROPS = {
    "apparatus.approve_driver_exception",
    "facilities.view_sensitive",
    "equipment_check.view",
    "equipment_check.submit",
    "prospective_members.view",
}


@dataclass(frozen=True)
class SystemRole:
    """One seeded role."""

    slug: str
    name: str
    priority: int
    permissions: tuple[str, ...]


def _role(slug: str, name: str, priority: int, *grants: list[str]) -> SystemRole:
    ordered = dict.fromkeys(p for grant in grants for p in grant)  # dedupe, keep order
    return SystemRole(slug, name, priority, tuple(ordered))


SYSTEM_ROLES: tuple[SystemRole, ...] = (
    _role("it_manager", "IT Manager", 100, ["*"]),
    _role("fire_chief", "Fire Chief", 95, LEADER, _CHIEF_CORE, _CHIEF_MODULES),
    _role(
        "president",
        "President",
        95,
        [p for p in LEADER + _CHIEF_CORE + _CHIEF_MODULES if p not in _PRESIDENT_DROPS],
        ["reports.manage"],
    ),
    _role("deputy_chief", "Deputy Chief", 90, LEADER, _DEPUTY_CORE, _OPERATIONAL),
    _role(
        "assistant_chief",
        "Assistant Chief",
        85,
        LEADER,
        [p for p in _DEPUTY_CORE if p != "locations.delete"],
        _OPERATIONAL,
    ),
    _role(
        "quartermaster",
        "Quartermaster",
        85,
        MEMBER,
        _users("view", "view_contact"),
        ["members.view"],
        _VIEW_CORE,
        _modules("inventory"),
    ),
    _role(
        "vice_president",
        "Vice President",
        80,
        MEMBER,
        _users("view", "view_contact"),
        _members("view", "manage", "assign_positions"),
        _VIEW_CORE,
        _modules("compliance", "elections", "fundraising", "meetings", "minutes"),
        _modules("prospective_members", "reports"),
        ["audit.view"],
    ),
    _role(
        "secretary",
        "Secretary",
        75,
        MEMBER,
        _users("view", "create", "view_contact", "update_positions"),
        _ALL_MEMBERS,
        ["positions.view", "organization.view", "settings.view"],
        ["settings.manage_contact_visibility", "locations.view"],
        _modules("compliance", "documents", "elections", "events", "forms", "meetings"),
        _modules("minutes", "prospective_members", "reports"),
    ),
    _role(
        "treasurer",
        "Treasurer",
        75,
        MEMBER,
        _users("view", "view_contact"),
        ["members.view"],
        _VIEW_CORE,
        _modules("documents", "finance", "fundraising", "reports"),
        ["audit.view"],
    ),
    _role(
        "captain",
        "Captain",
        70,
        LEADER,
        _users("view", "view_contact"),
        _members("view", "manage"),
        _VIEW_CORE,
        ["locations.view"],
        _modules("apparatus", "compliance", "events", "facilities", "prospective_members"),
        _modules("scheduling", "training"),
    ),
    _role(
        "board_of_directors",
        "Board of Directors",
        70,
        MEMBER,
        _users("view", "view_contact"),
        ["members.view"],
        _VIEW_CORE,
        _modules("reports"),
        ["audit.view"],
    ),
    _role(
        "assistant_secretary",
        "Assistant Secretary",
        70,
        MEMBER,
        _users("view", "view_contact"),
        _members("view", "manage"),
        _VIEW_CORE,
        _modules("documents", "meetings", "minutes"),
    ),
    _role(
        "safety_officer",
        "Safety Officer",
        65,
        MEMBER,
        _users("view", "view_contact"),
        ["members.view", "positions.view", "organization.view", "locations.view"],
        _modules("compliance", "documents", "events", "forms", "reports", "training"),
    ),
    _role(
        "training_officer",
        "Training Officer",
        65,
        MEMBER,
        _users("view", "view_contact"),
        ["members.view", "positions.view", "organization.view"],
        _locations("view", "create", "edit", "manage"),
        _modules("compliance", "events", "reports", "training"),
    ),
    _role(
        "lieutenant",
        "Lieutenant",
        60,
        LEADER,
        _users("view", "view_contact"),
        ["members.view"],
        _VIEW_CORE,
        ["locations.view"],
        _modules("apparatus", "events", "scheduling", "training"),
    ),
    _role(
        "meeting_hall_coordinator",
        "Meeting Hall Coordinator",
        60,
        MEMBER,
        _users("view", "view_contact"),
        ["members.view", "organization.view"],
        _locations("view", "create", "edit", "manage"),
        _modules("events"),
    ),
    _role(
        "membership_coordinator",
        "Membership Coordinator",
        55,
        MEMBER,
        _users("view", "create", "edit", "view_contact", "update_positions"),
        _ALL_MEMBERS,
        _VIEW_CORE,
        _modules("prospective_members"),
    ),
    _role(
        "ems_supply_officer",
        "EMS Supply Officer",
        55,
        MEMBER,
        ["users.view", "members.view", "positions.view", "organization.view", "locations.view"],
        _EQUIPMENT_CHECK,
        _MEDICAL_INVENTORY,
    ),
    _role(
        "public_outreach",
        "Public Outreach",
        55,
        MEMBER,
        _users("view", "view_contact"),
        ["members.view", "positions.view", "organization.view"],
        _locations("view", "create", "edit", "manage"),
        _modules("events"),
    ),
    _role(
        "communications_officer",
        "Communications Officer / PIO",
        55,
        MEMBER,
        _users("view", "view_contact"),
        ["members.view", "positions.view", "organization.view", "locations.view"],
        _modules("events", "notifications"),
    ),
    _role(
        "fundraising_chair",
        "Fundraising Chair",
        55,
        MEMBER,
        _users("view", "view_contact"),
        ["members.view", "organization.view", "locations.view"],
        _modules("events", "fundraising", "reports"),
    ),
    _role(
        "scheduling_officer",
        "Scheduling Officer",
        55,
        MEMBER,
        _users("view", "view_contact"),
        ["members.view", "positions.view", "organization.view"],
        _modules("scheduling"),
    ),
    _role(
        "historian",
        "Historian",
        50,
        MEMBER,
        ["users.view", "members.view", "organization.view"],
        _modules("documents"),
    ),
    _role(
        "apparatus_officer",
        "Apparatus Officer",
        50,
        MEMBER,
        ["users.view", "members.view", "positions.view", "organization.view", "locations.view"],
        _modules("apparatus"),
        _EQUIPMENT_CHECK,
        ["inventory.view", "inventory.manage", "storefront.view", "storefront.manage"],
    ),
    _role(
        "facilities_manager",
        "Facilities Manager",
        50,
        MEMBER,
        ["users.view", "members.view", "positions.view", "organization.view", "locations.view"],
        _modules("facilities"),
        ["inventory.view", "inventory.manage", "storefront.view", "storefront.manage"],
    ),
    _role(
        "engineer",
        "Engineer / Driver Operator",
        40,
        [p for p in MEMBER if p != "equipment_check.submit"],
        ["apparatus.maintenance"],
    ),
    _role(
        "firefighter",
        "Firefighter",
        15,
        [p for p in MEMBER if p != "equipment_check.submit"],
    ),
    _role("member", "Member", 10, MEMBER),
)
SYSTEM_ROLE_BY_SLUG = {role.slug: role for role in SYSTEM_ROLES}
RANK_ROLE_SLUGS = frozenset(
    {
        "fire_chief",
        "deputy_chief",
        "assistant_chief",
        "captain",
        "lieutenant",
        "engineer",
        "firefighter",
    }
)
DEFAULT_RANKS: tuple[tuple[str, str], ...] = (
    ("fire_chief", "Fire Chief"),
    ("deputy_chief", "Deputy Chief"),
    ("assistant_chief", "Assistant Chief"),
    ("captain", "Captain"),
    ("lieutenant", "Lieutenant"),
    ("engineer", "Engineer"),
    ("firefighter", "Firefighter"),
    ("emt", "EMT"),
)


def rank_permissions(rank: str | None) -> tuple[str, ...]:
    """What a rank grants: the matching system role's list for the seven role-like codes."""
    if rank is None or rank not in RANK_ROLE_SLUGS:
        return ()
    return SYSTEM_ROLE_BY_SLUG[rank].permissions
