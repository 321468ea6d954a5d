"""Members as auth meets them: the first administrator (`logbook create-admin`), the welcome link of
a new member, and the end of a departed member's sessions."""
