"""Password replacement without the current password: by mailed link, or by an administrator."""
