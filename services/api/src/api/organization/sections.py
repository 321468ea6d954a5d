"""The known sections of the organization's settings document (spec §2.2), with defaults.

Each Struct validates a section as written; missing keys take the defaults, so one Struct
serves both a full section (replaced) and a partial one (merged).
"""

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from shared.types import line

Short = Annotated[str, line(100)]
Text = Annotated[str, line(255)]
Url = Annotated[str, line(500)]
Secret = Annotated[str, Meta(max_length=2000)]  # opaque credentials, stored encrypted


class ContactInfoVisibility(msgspec.Struct):
    """What the member roster reveals to ordinary members."""

    enabled: bool = False
    show_email: bool = True
    show_phone: bool = True
    show_mobile: bool = True


class MembershipIdSettings(msgspec.Struct):
    """Automatic membership numbers: prefix + number zero-padded to 4."""

    enabled: bool = False
    auto_generate: bool = False
    prefix: Annotated[str, line(10)] = ""
    next_number: Annotated[int, Meta(ge=1, le=999_999_999)] = 1


class EmailServiceSettings(msgspec.Struct):
    """Outgoing mail; the secrets are stored encrypted and never read back."""

    enabled: bool = False
    platform: Literal["gmail", "microsoft", "selfhosted", "cloudflare", "other"] = "gmail"
    cloudflare_account_id: Text | None = None
    cloudflare_api_token: Secret | None = None
    google_client_id: Text | None = None
    google_client_secret: Secret | None = None
    google_app_password: Secret | None = None
    microsoft_tenant_id: Text | None = None
    microsoft_client_id: Text | None = None
    microsoft_client_secret: Secret | None = None
    smtp_host: Text | None = None
    smtp_port: Annotated[int, Meta(ge=1, le=65535)] = 587
    smtp_user: Text | None = None
    smtp_password: Secret | None = None
    smtp_encryption: Literal["tls", "ssl", "none"] = "tls"
    from_email: Text | None = None
    from_name: Text | None = None
    use_tls: bool = True


class FileStorageSettings(msgspec.Struct):
    """Where documents are stored."""

    platform: Literal["local", "googledrive", "onedrive", "s3", "other"] = "local"
    google_drive_client_id: Text | None = None
    google_drive_client_secret: Secret | None = None
    google_drive_folder_id: Text | None = None
    onedrive_tenant_id: Text | None = None
    onedrive_client_id: Text | None = None
    onedrive_client_secret: Secret | None = None
    sharepoint_site_url: Url | None = None
    s3_access_key_id: Text | None = None
    s3_secret_access_key: Secret | None = None
    s3_bucket_name: Text | None = None
    s3_region: Short | None = None
    s3_endpoint_url: Url | None = None
    local_storage_path: Url | None = None


class AuthSettings(msgspec.Struct):
    """The sign-in provider."""

    provider: Literal["local", "google", "microsoft", "authentik"] = "local"
    google_client_id: Text | None = None
    google_client_secret: Secret | None = None
    microsoft_tenant_id: Text | None = None
    microsoft_client_id: Text | None = None
    microsoft_client_secret: Secret | None = None
    authentik_url: Url | None = None
    authentik_client_id: Text | None = None
    authentik_client_secret: Secret | None = None


class ItTeamMember(msgspec.Struct):
    """Someone to call when the system needs attention."""

    name: Text = ""
    email: Text = ""
    phone: Short = ""
    role: Text = ""


class ItTeamSettings(msgspec.Struct):
    """The department's IT contacts (shown only to settings managers)."""

    members: Annotated[list[ItTeamMember], Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    backup_access: dict[str, Any] = msgspec.field(default_factory=dict)


class DepartmentEmailSettings(msgspec.Struct):
    """Department addresses derived from member names."""

    enabled: bool = False
    domain: Text = ""
    format: Literal["first.last", "flast", "firstlast", "last.first"] = "first.last"


class MembershipTier(msgspec.Struct):
    """One membership tier (managed by later endpoints)."""

    id: Annotated[str, line(50, 1)]
    name: Short = ""
    years_required: Annotated[int, Meta(ge=0, le=100)] = 0
    sort_order: int = 0
    benefits: dict[str, Any] = msgspec.field(default_factory=dict)


def _default_tiers() -> list[MembershipTier]:
    return [
        MembershipTier("probationary", "Probationary", 0, 0),
        MembershipTier("active", "Active", 1, 1),
        MembershipTier("senior", "Senior", 10, 2),
        MembershipTier("life", "Life", 20, 3),
    ]


class MembershipTiersSettings(msgspec.Struct):
    """Membership tiers and whether members advance automatically."""

    auto_advance: bool = True
    tiers: Annotated[list[MembershipTier], Meta(max_length=50)] = msgspec.field(
        default_factory=_default_tiers
    )


class MemberDropNotifications(msgspec.Struct):
    """Who is copied when a member is dropped."""

    cc_roles: Annotated[list[Short], Meta(max_length=100)] = msgspec.field(default_factory=list)
    cc_emails: Annotated[list[Text], Meta(max_length=100)] = msgspec.field(default_factory=list)
    include_personal_email: bool = True
    use_custom_template: bool = False


class SetupSettings(msgspec.Struct):
    """Setup checklist items the administrator acknowledged."""

    acknowledged: Annotated[list[Short], Meta(max_length=200)] = msgspec.field(default_factory=list)


SECTIONS: dict[str, type[msgspec.Struct]] = {
    "contact_info_visibility": ContactInfoVisibility,
    "membership_id": MembershipIdSettings,
    "email_service": EmailServiceSettings,
    "file_storage": FileStorageSettings,
    "auth": AuthSettings,
    "it_team": ItTeamSettings,
    "department_email": DepartmentEmailSettings,
    "membership_tiers": MembershipTiersSettings,
    "member_drop_notifications": MemberDropNotifications,
    "setup": SetupSettings,
}
# The bold fields of §2.2: stored encrypted, never read back.
SECRETS: dict[str, frozenset[str]] = {
    "email_service": frozenset(
        {
            "cloudflare_api_token",
            "google_client_secret",
            "google_app_password",
            "microsoft_client_secret",
            "smtp_password",
        }
    ),
    "file_storage": frozenset(
        {"google_drive_client_secret", "onedrive_client_secret", "s3_secret_access_key"}
    ),
    "auth": frozenset(
        {"google_client_secret", "microsoft_client_secret", "authentik_client_secret"}
    ),
}
# Infrastructure identifiers only settings managers see (§3.4).
INFRASTRUCTURE: dict[str, frozenset[str]] = {
    "email_service": frozenset(
        {
            "smtp_host",
            "smtp_user",
            "google_client_id",
            "microsoft_tenant_id",
            "microsoft_client_id",
            "cloudflare_account_id",
        }
    ),
    "file_storage": frozenset(
        {
            "google_drive_client_id",
            "google_drive_folder_id",
            "onedrive_tenant_id",
            "onedrive_client_id",
            "sharepoint_site_url",
            "s3_access_key_id",
            "s3_bucket_name",
            "s3_region",
            "s3_endpoint_url",
            "local_storage_path",
        }
    ),
    "auth": frozenset(
        {
            "google_client_id",
            "microsoft_tenant_id",
            "microsoft_client_id",
            "authentik_url",
            "authentik_client_id",
        }
    ),
}
