"""The member service: rules, audit entries and events of one request."""

from api.members.service._service import MemberService

__all__ = ["MemberService"]
