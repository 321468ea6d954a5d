"""The notifications area: the member inbox, rules, the send log, and entries made from events."""
