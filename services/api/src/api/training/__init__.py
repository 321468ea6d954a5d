"""Training (spec training.md): the course library, members' records and requirements,
compliance, training sessions bridged to events, waivers and leaves of absence."""
