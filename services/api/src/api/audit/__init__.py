"""The audit trail: the keyed hash chain, its writers, the read and integrity routes."""
