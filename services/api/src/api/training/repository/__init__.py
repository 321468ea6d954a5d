"""All SQL of the training area, by topic in the modules beside this one."""

from api.training.repository._compliance import ComplianceRepository, Person
from api.training.repository._leaves import LeaveRepository, WaiverRepository
from api.training.repository._library import CategoryRepository, CourseRepository
from api.training.repository._members import MemberProfile, MemberRepository
from api.training.repository._records import DUPLICATE_DAYS, Completion, RecordRepository
from api.training.repository._requirements import RequirementRepository
from api.training.repository._sessions import (
    SessionEventRepository,
    SessionRecordRepository,
    SessionRepository,
)

__all__ = [
    "DUPLICATE_DAYS",
    "CategoryRepository",
    "Completion",
    "ComplianceRepository",
    "CourseRepository",
    "LeaveRepository",
    "MemberProfile",
    "MemberRepository",
    "Person",
    "RecordRepository",
    "RequirementRepository",
    "SessionEventRepository",
    "SessionRecordRepository",
    "SessionRepository",
    "WaiverRepository",
]
