"""Failures of the inventory routes (spec inventory.md §1, §6): 404, 400, 409, and a few 422s."""

from litestar.exceptions import ValidationException

from shared.errors import AppError


class CategoryNotFoundError(AppError):
    """No such category in the caller's organization (foreign ids look the same)."""

    status_code = 404
    code = "LB-API-404"
    detail = "Category not found"


class ItemNotFoundError(AppError):
    """No such item in the caller's organization (foreign ids look the same)."""

    status_code = 404
    code = "LB-API-404"
    detail = "Item not found"


class InvalidReferenceError(AppError):
    """An id in the body names nothing of the organization: `Invalid <thing>` (§1)."""

    status_code = 400
    code = "LB-API-400"
    detail = "Invalid reference"


class CategoryRequirementError(AppError):
    """The item's category asks for a field the item lacks (§4)."""

    status_code = 400
    code = "LB-API-400"
    detail = "The category requires a field the item does not have"


class PoolQuantityError(AppError):
    """A pool item starts with at least one unit (§6.2 #7)."""

    status_code = 400
    code = "LB-API-400"
    detail = "A pool item needs a quantity of at least 1"


class CategoryCycleError(AppError):
    """A category cannot sit below itself or one of its descendants."""

    status_code = 409
    code = "LB-API-409"
    detail = "A category cannot be its own parent or sit below one of its subcategories"


class CategoryInUseError(AppError):
    """Active items still point to the category (§6.1 #5)."""

    status_code = 409
    code = "LB-API-409"
    detail = "Category has active items; retire or move them first"


class DuplicateCodeError(AppError):
    """Another item of the organization holds the barcode, serial number or asset tag (§4)."""

    status_code = 409
    code = "LB-API-409"
    detail = "An item with this code already exists"


class ItemStateError(AppError):
    """The change does not fit the item's status or holders (§4 transitions)."""

    status_code = 409
    code = "LB-API-409"
    detail = "The item's status does not allow this change"


class BarcodeExhaustedError(AppError):
    """No free generated barcode after several tries (only under heavy clashing)."""

    status_code = 503
    code = "LB-SYS-002"
    detail = "Service temporarily unavailable, please retry"


class MemberNotFoundError(AppError):
    """The member named in the body is not an active member of the organization (§1)."""

    status_code = 400
    code = "LB-API-400"
    detail = "Member not found"


class IssuanceNotFoundError(AppError):
    """No such issuance in the caller's organization."""

    status_code = 404
    code = "LB-API-404"
    detail = "Issuance not found"


class CheckoutNotFoundError(AppError):
    """No such checkout in the caller's organization."""

    status_code = 404
    code = "LB-API-404"
    detail = "Checkout not found"


class NotBorrowerError(AppError):
    """Only the borrower or an inventory manager may extend a checkout (§6.5 #20)."""

    status_code = 403
    code = "LB-PERM-001"
    detail = "Only the borrower or an inventory manager may extend this checkout"


class ItemNotAvailableError(AppError):
    """The item cannot go to a holder now: its kind, status or current holder (§4)."""

    status_code = 409
    code = "LB-API-409"
    detail = "Item is not available"


class NotEnoughStockError(AppError):
    """Fewer units on hand than requested (§5.2)."""

    status_code = 409
    code = "LB-API-409"
    detail = "Not enough stock on hand"


class ReturnQuantityError(AppError):
    """More units returned than the issuance still has out (§6.4 #15)."""

    status_code = 409
    code = "LB-API-409"
    detail = "More units than are outstanding"


class AlreadyReturnedError(AppError):
    """The record was closed already, perhaps by a concurrent request (§5.3)."""

    status_code = 409
    code = "LB-API-409"
    detail = "Already returned"


class NotHeldError(AppError):
    """A batch return names an item the member does not hold in any way (§6.6 #25)."""

    status_code = 409
    code = "LB-API-409"
    detail = "Item is not held by this member"


def invalid_field(field: str) -> ValidationException:
    """The 422 of a rule on one body field the type alone cannot express (§6.2 #9)."""
    return ValidationException(extra=[{"key": field, "message": "Invalid value"}])
