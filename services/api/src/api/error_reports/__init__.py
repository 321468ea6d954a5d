"""Frontend error reports: members' browsers report failures, administrators read them."""
