"""All SQL of the training area, by topic in the modules beside this one."""

from api.training.repository._library import CategoryRepository, CourseRepository
from api.training.repository._members import MemberProfile, MemberRepository
from api.training.repository._records import DUPLICATE_DAYS, Completion, RecordRepository

__all__ = [
    "DUPLICATE_DAYS",
    "CategoryRepository",
    "Completion",
    "CourseRepository",
    "MemberProfile",
    "MemberRepository",
    "RecordRepository",
]
