"""Constrained types the services share: bounded paging parameters."""

from typing import Annotated

from litestar.params import KwargDefinition, QueryParameter

# Far beyond any organization's rows, and far inside the unsigned 64-bit range MySQL accepts
# in LIMIT/OFFSET: a larger number is a 422, never a database error.
MAX_SKIP = 10**9
MAX_PAGE = 1_000_000

Skip = Annotated[int, QueryParameter(ge=0, le=MAX_SKIP, description="Rows to skip")]
Page = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="Page number, from 1")]


def row_limit(most: int) -> KwargDefinition:
    """The `limit`/`page_size` parameter of a list answering at most `most` rows."""
    return QueryParameter(ge=1, le=most, description=f"Rows to return (1 to {most})")
