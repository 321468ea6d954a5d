"""Password replacement without the current password: by mailed link, or by an administrator."""

from auth.reset._admin import CredentialAdminService
from auth.reset._link import PasswordResetService
from auth.reset._writer import CredentialWriter

__all__ = ["CredentialAdminService", "CredentialWriter", "PasswordResetService"]
