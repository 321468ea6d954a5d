"""Controllers of `/api/v1/users` (the member routes of spec §3.1 and §3.2)."""

from api.members.controllers._editing import MemberEditingController
from api.members.controllers._lifecycle import MemberLifecycleController
from api.members.controllers._roster import RosterController

__all__ = ["MemberEditingController", "MemberLifecycleController", "RosterController"]
