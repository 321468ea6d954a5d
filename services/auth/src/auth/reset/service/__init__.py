"""The reset rules: by mailed link, by an administrator, and what both share."""

from auth.reset.service._admin import CredentialAdminService
from auth.reset.service._link import PasswordResetService
from auth.reset.service._writer import CredentialWriter

__all__ = ["CredentialAdminService", "CredentialWriter", "PasswordResetService"]
