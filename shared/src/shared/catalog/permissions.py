"""The permission catalogue of spec/members-roles-organization.md §2.8, in display order."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PermissionInfo:
    """One grantable permission."""

    name: str
    description: str
    category: str


# category -> [(name, short label)]; the order is the order the role editor shows.
_CATALOGUE: dict[str, list[tuple[str, str]]] = {
    "users": [
        ("users.view", "View member records"),
        ("users.create", "Add members"),
        ("users.edit", "Edit member records"),
        ("users.delete", "Delete members"),
        ("users.view_contact", "See members' contact details"),
        ("users.update_positions", "Change members' roles"),
    ],
    "members": [
        ("members.view", "View the member roster"),
        ("members.manage", "Manage members and their lifecycle"),
        ("members.assign_positions", "Assign roles to members"),
        ("members.create", "Create members"),
    ],
    "positions": [
        ("positions.view", "View roles"),
        ("positions.create", "Create roles"),
        ("positions.edit", "Edit roles"),
        ("positions.update", "Update roles"),
        ("positions.delete", "Delete roles"),
        ("positions.manage_permissions", "Change what roles may do"),
    ],
    "organization": [
        ("organization.view", "View the organization"),
        ("organization.edit", "Edit the organization"),
        ("organization.update_settings", "Change organization settings"),
        ("organization.template.manage", "Export organization templates"),
    ],
    "settings": [
        ("settings.view", "View settings"),
        ("settings.edit", "Edit settings"),
        ("settings.manage", "Manage all settings"),
        ("settings.manage_contact_visibility", "Choose what contact details members see"),
        ("legal.propose", "Propose legal documents"),
        ("legal.publish", "Publish legal documents"),
    ],
    "security": [("security.manage", "Manage security settings")],
    "training": [
        ("training.view", "View training"),
        ("training.manage", "Manage training"),
        ("training.view_all", "View everyone's training"),
    ],
    "compliance": [
        ("compliance.view", "View compliance"),
        ("compliance.manage", "Manage compliance"),
        ("medical_screening.view", "View medical screenings"),
        ("medical_screening.manage", "Manage medical screenings"),
    ],
    "scheduling": [
        ("scheduling.view", "View schedules"),
        ("scheduling.manage", "Manage schedules"),
        ("scheduling.assign", "Assign shifts"),
        ("scheduling.swap", "Swap shifts"),
        ("scheduling.report", "Report on shifts"),
        ("equipment_check.view", "View equipment checks"),
        ("equipment_check.manage", "Manage equipment checks"),
        ("equipment_check.submit", "Submit equipment checks"),
    ],
    "inventory": [
        ("inventory.view", "View inventory"),
        ("inventory.manage", "Manage inventory"),
        ("inventory.view_medical", "View medical supplies"),
        ("inventory.manage_medical", "Manage medical supplies"),
        ("storefront.view", "View the storefront"),
        ("storefront.order", "Order from the storefront"),
        ("storefront.manage", "Manage the storefront"),
    ],
    "meetings": [("meetings.view", "View meetings"), ("meetings.manage", "Manage meetings")],
    "elections": [("elections.view", "View elections"), ("elections.manage", "Run elections")],
    "fundraising": [
        ("fundraising.view", "View fundraising"),
        ("fundraising.manage", "Manage fundraising"),
    ],
    "audit": [
        ("audit.view", "Read the audit trail"),
        ("audit.export", "Export the audit trail"),
        ("audit.manage", "Manage the audit trail"),
    ],
    "events": [
        ("events.view", "View events"),
        ("events.create", "Create events"),
        ("events.edit", "Edit events"),
        ("events.delete", "Delete events"),
        ("events.manage", "Manage events"),
    ],
    "locations": [
        ("locations.view", "View locations"),
        ("locations.create", "Create locations"),
        ("locations.edit", "Edit locations"),
        ("locations.delete", "Delete locations"),
        ("locations.manage", "Manage locations"),
    ],
    "forms": [("forms.view", "View forms"), ("forms.manage", "Manage forms")],
    "admin": [
        ("admin.access", "Open the administration area"),
        ("system.run_tasks", "Run maintenance tasks"),
    ],
    "minutes": [("minutes.view", "View minutes"), ("minutes.manage", "Manage minutes")],
    "documents": [("documents.view", "View documents"), ("documents.manage", "Manage documents")],
    "apparatus": [
        ("apparatus.view", "View apparatus"),
        ("apparatus.create", "Add apparatus"),
        ("apparatus.edit", "Edit apparatus"),
        ("apparatus.delete", "Delete apparatus"),
        ("apparatus.maintenance", "Record apparatus maintenance"),
        ("apparatus.manage", "Manage apparatus"),
        ("apparatus.approve_driver_exception", "Approve driver exceptions"),
    ],
    "facilities": [
        ("facilities.view", "View facilities"),
        ("facilities.view_sensitive", "View sensitive facility details"),
        ("facilities.create", "Add facilities"),
        ("facilities.edit", "Edit facilities"),
        ("facilities.delete", "Delete facilities"),
        ("facilities.maintenance", "Record facility maintenance"),
        ("facilities.manage", "Manage facilities"),
    ],
    "analytics": [("analytics.view", "View analytics")],
    "integrations": [("integrations.manage", "Manage integrations")],
    "notifications": [
        ("notifications.view", "View notifications"),
        ("notifications.manage", "Manage notifications"),
    ],
    "reports": [("reports.view", "View reports"), ("reports.manage", "Manage reports")],
    "admin_hours": [
        ("admin_hours.view", "View administrative hours"),
        ("admin_hours.log", "Log administrative hours"),
        ("admin_hours.manage", "Manage administrative hours"),
    ],
    "finance": [
        ("finance.view", "View finances"),
        ("finance.manage", "Manage finances"),
        ("finance.approve", "Approve spending"),
        ("finance.configure_approvals", "Configure approval rules"),
    ],
    "prospective_members": [
        ("prospective_members.view", "View prospective members"),
        ("prospective_members.manage", "Manage prospective members"),
    ],
}

CATEGORIES: dict[str, list[PermissionInfo]] = {
    category: [PermissionInfo(name, label, category) for name, label in items]
    for category, items in _CATALOGUE.items()
}
ALL_PERMISSIONS: frozenset[str] = frozenset(
    info.name for infos in CATEGORIES.values() for info in infos
)
# Accepted on routes and in stored roles, though not offered in the catalogue (§2.6).
LEGACY_SYNONYMS = frozenset(
    {
        "roles.view",
        "roles.create",
        "roles.edit",
        "roles.update",
        "roles.delete",
        "users.update_roles",
        "members.assign_roles",
    }
)
# Only `*` holders may hold these (§2.8).
OWNER_ONLY = frozenset({"organization.template.manage", "system.run_tasks"})


def category_permissions(category: str) -> list[str]:
    """Every permission name of one catalogue category."""
    return [info.name for info in CATEGORIES[category]]


def unknown_permissions(names: list[str]) -> list[str]:
    """Names a role may not carry: neither catalogue entries nor wildcards of a category."""
    modules = {name.split(".", 1)[0] for name in ALL_PERMISSIONS}
    return [
        name
        for name in names
        if name != "*"
        and name not in ALL_PERMISSIONS
        and not (name.endswith(".*") and name.removesuffix(".*") in modules)
    ]
