"""Events (spec events.md): the calendar, recurring series, RSVPs, check-in and attendance."""
