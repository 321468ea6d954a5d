"""Fixed reference data every organization shares: permissions, system roles, rank defaults."""
