"""The member audit-history filters of §3.1 and a readable line per stored event type."""

from typing import Any

# Coarse filters of `GET /users/{id}/audit-history` and the stored types they cover (§5).
COARSE_FILTERS = {
    "profile_update": (
        "user_profile_updated",
        "user_updated",
        "user_photo_updated",
        "user_photo_removed",
    ),
    "status_change": (
        "member_status_changed",
        "member_archived",
        "member_reactivated",
        "leave_of_absence_created",
        "leave_of_absence_updated",
        "leave_of_absence_deleted",
    ),
    "role_change": ("user_role_assigned", "user_role_removed"),
    "password_reset": ("admin_password_reset",),
    "membership_change": ("membership_type_changed",),
}
FIXED_DESCRIPTIONS = {
    "user_created": "Member created",
    "user_viewed": "Profile viewed",
    "user_updated": "Contact information updated",
    "user_photo_updated": "Photo updated",
    "user_photo_removed": "Photo removed",
    "user_role_assigned": "Roles changed",
    "user_role_removed": "Role removed",
    "member_archived": "Member archived",
    "member_reactivated": "Member reactivated",
    "admin_password_reset": "Password reset by an administrator",
    "admin_mfa_reset": "Two-factor authentication reset by an administrator",
}


def stored_types(event_type: str | None) -> tuple[str, ...] | None:
    """The stored types a filter value stands for; an exact type stands for itself."""
    if event_type is None:
        return None
    return COARSE_FILTERS.get(event_type, (event_type,))


def describe(event_type: str, data: dict[str, Any]) -> str:
    """One line for the history list (never a value of personal data)."""
    if event_type == "member_status_changed":
        return f"Status changed from {data.get('previous_status')} to {data.get('new_status')}"
    if event_type == "membership_type_changed":
        previous, new = data.get("previous_membership_type"), data.get("new_membership_type")
        return f"Membership type changed from {previous} to {new}"
    if event_type == "compliance_exemption_changed":
        exempt = data.get("new_compliance_exempt")
        return "Exempted from compliance targets" if exempt else "Compliance exemption removed"
    if event_type == "user_profile_updated":
        fields = data.get("fields_updated") or []
        return "Profile updated: " + ", ".join(str(f) for f in fields)
    return FIXED_DESCRIPTIONS.get(event_type, event_type.replace("_", " ").capitalize())
