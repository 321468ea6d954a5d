"""The roles area: roles (positions), their permissions and the permission catalogue."""
