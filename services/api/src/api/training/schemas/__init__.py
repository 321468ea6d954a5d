"""Bodies and shapes of the training routes, by topic in the modules beside this one."""

from api.training.schemas._bulk import BulkDuplicate, BulkEntry, BulkRequest, BulkResult
from api.training.schemas._library import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    CourseCreate,
    CourseRead,
    CourseUpdate,
)
from api.training.schemas._records import (
    AttachmentRead,
    CreatedRecordRead,
    DuplicateWarning,
    RecordCreate,
    RecordFilters,
    RecordRead,
    RecordUpdate,
)

__all__ = [
    "AttachmentRead",
    "BulkDuplicate",
    "BulkEntry",
    "BulkRequest",
    "BulkResult",
    "CategoryCreate",
    "CategoryRead",
    "CategoryUpdate",
    "CourseCreate",
    "CourseRead",
    "CourseUpdate",
    "CreatedRecordRead",
    "DuplicateWarning",
    "RecordCreate",
    "RecordFilters",
    "RecordRead",
    "RecordUpdate",
]
