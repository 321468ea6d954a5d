"""Retries with backoff (tenacity), each wait logged the same way."""

from collections.abc import Callable
from typing import Any

from tenacity import RetryCallState


def log_retry(
    emit: Callable[..., Any], event: str, *, with_attempt: bool = False, **fields: Any
) -> Callable[[RetryCallState], None]:
    """A tenacity `before_sleep` that logs `event` with the failure's type and the coming wait."""

    def before_sleep(state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        attempt = {"attempt": state.attempt_number} if with_attempt else {}
        emit(event, **fields, **attempt, error=type(failure).__name__, retry_in=round(wait, 2))

    return before_sleep
