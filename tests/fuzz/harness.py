"""Schemathesis over the merged OpenAPI document, through the gateway, signed in as a browser.

Every operation is called with generated data, valid (positive) and invalid (negative), with the
administrator's cookies and the CSRF header, and each answer is checked against the document:
no 5xx, a documented status, content type, headers and body, and invalid data refused. Failures
are collected, not raised, so one run gives the figures `make fuzz` reports and the in-suite
test asserts on. Used by tests/e2e/test_schemathesis.py and `python -m tests.fuzz.run`.
"""

import contextlib
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import msgspec
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, strategies
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup, ServerError
from schemathesis.specs.openapi import checks

# Loaded here, at collection, rather than lazily inside the run: pytest rewrites schemathesis'
# modules as it imports them, and CPython 3.11.7's parser can fail such a late import deep in a
# worker's stack ("AST constructor recursion depth mismatch", fixed in 3.11.8).
from schemathesis.specs.openapi import schemas as _schemas  # noqa: F401

from tests.e2e.department import PASSWORD

# Calls that would end the signed-in session, so every later case would only test the 401
# answer: signing out, and changing the password (which ends every session of the member).
EXCLUDED = {
    "POST /api/v1/auth/logout",
    "POST /api/v1/auth/change-password",
}
# Everything the document promises about an answer. Not `positive_data_acceptance`: data the
# schema allows may still be refused by a rule the schema cannot state (a duplicate name is a
# documented 409/422, a random member id a 404).
CHECKS: list[Callable[..., bool | None]] = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# An access token lasts 30 minutes; a browser refreshes well before that, and so does the run.
REFRESH_EVERY = 600.0
REQUEST_TIMEOUT = 30.0
API = "/api/v1"


@dataclass
class Figures:
    """What a run did and found; `failures` holds one report per distinct failure."""

    cases: int = 0
    server_errors: int = 0
    violations: int = 0
    no_answer: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    by_check: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    session_alive: bool = True

    @property
    def clean(self) -> bool:
        return (
            not self.server_errors
            and not self.violations
            and not self.no_answer
            and self.session_alive
        )

    def summary(self) -> str:
        """One line of figures, then one block per distinct failure."""
        classes = Counter(f"{status // 100}xx" for status in self.statuses.elements())
        lines = [
            f"{self.cases} cases in {self.seconds:.0f} s: {self.server_errors} 5xx, "
            f"{self.violations} schema violations, {self.no_answer} without an answer; "
            f"answers {dict(sorted(classes.items()))} ({self.statuses[401]} were 401); "
            f"session {'alive' if self.session_alive else 'LOST'} at the end"
        ]
        if self.by_check:
            lines.append(f"failed checks: {dict(self.by_check.most_common())}")
        lines.extend(f"--- {key}\n{report}" for key, report in self.failures.items())
        return "\n".join(lines)


class Browser:
    """The administrator signed in through the gateway, as the web app would be."""

    def __init__(self, gateway: str, username: str) -> None:
        self.gateway = gateway
        self.session = requests.Session()
        response = self.session.post(
            f"{gateway}{API}/auth/login",
            json={"username": username, "password": PASSWORD},
            timeout=REQUEST_TIMEOUT,
        )
        response.raise_for_status()
        self._refreshed = time.monotonic()

    @property
    def headers(self) -> dict[str, str]:
        # Read on every call: a fuzzed POST /auth/refresh rotates the CSRF cookie.
        return {"X-CSRF-Token": self.session.cookies["csrf_token"]}

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(
            method,
            f"{self.gateway}{API}{path}",
            headers=self.headers,
            timeout=REQUEST_TIMEOUT,
            **kwargs,
        )

    def keep_alive(self) -> None:
        if time.monotonic() - self._refreshed > REFRESH_EVERY:
            self.request("POST", "/auth/refresh").raise_for_status()
            self._refreshed = time.monotonic()

    def alive(self) -> bool:
        return all(self.request("GET", path).status_code == 200 for path in ("/auth/me", "/users"))


def seed_ids(browser: Browser) -> dict[str, list[str]]:
    """Members, a location and a custom role to aim the id routes at.

    Random ids only ever reach the 404 branch; these let the generated bodies reach the code
    that applies them. The administrator's own id and the system roles are never offered:
    deactivating, deleting or demoting the signed-in administrator would end the run's session
    or its permissions, and every later case would test only a 401 or 403.
    """
    ids: dict[str, list[str]] = {"user_id": [], "location_id": [], "role_id": []}
    for _ in range(3):
        name = f"fz{uuid.uuid4().hex[:10]}"
        body = {
            "username": name,
            "email": f"{name}@station9.example.org",
            "first_name": "Fuzz",
            "last_name": name,
            "send_welcome_email": False,
        }
        response = browser.request("POST", "/users", json=body)
        response.raise_for_status()
        ids["user_id"].append(response.json()["id"])
    response = browser.request("POST", "/locations", json={"name": f"Bay {uuid.uuid4().hex[:8]}"})
    response.raise_for_status()
    ids["location_id"].append(response.json()["id"])
    response = browser.request("POST", "/roles", json={"name": f"Fuzz {uuid.uuid4().hex[:8]}"})
    response.raise_for_status()
    ids["role_id"].append(response.json()["id"])
    return ids


def _aim(case: Case, ids: dict[str, list[str]], data: strategies.DataObject) -> None:
    """Point a valid case's ids at seeded records two times in three."""
    for name in case.path_parameters:
        choices = ids.get(name)
        if choices and data.draw(strategies.integers(0, 2), label=f"aim {name}"):
            case.path_parameters[name] = data.draw(strategies.sampled_from(choices), label=name)


def _locks_out(case: Case) -> bool:
    """Whether the case would require MFA of everyone, the administrator included.

    The administrator has no MFA, so the enrollment gate would refuse them every route but a
    few, the policy route among them: the rest of the run would be one 403. The services read
    `1` and `"true"` as true too (Litestar converts bodies leniently), so invalid cases are
    judged the same way.
    """
    if case.operation.label != "PUT /api/v1/auth/mfa/policy" or not isinstance(case.body, dict):
        return False
    try:
        return msgspec.convert(case.body.get("mfa_required"), bool, strict=False)
    except msgspec.ValidationError:
        return False


class Fuzzer:
    """Runs the operations of the document in rounds until the case budget is spent."""

    def __init__(self, gateway: str, username: str, seed: int) -> None:
        self.gateway = gateway
        self.browser = Browser(gateway, username)
        self.seed = seed
        self.figures = Figures()
        schema = schemathesis.openapi.from_url(f"{gateway}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        # Deletions last in a round, so the seeded records serve the other routes first.
        self.operations = sorted(
            (op for op in operations if op.label not in EXCLUDED),
            key=lambda op: (op.method.upper() == "DELETE", op.path, op.method),
        )

    def run(self, cases: int) -> Figures:
        started = time.monotonic()
        active = [(op, mode) for op in self.operations for mode in MODES]
        round_number = 0
        while active and self.figures.cases < cases:
            ids = seed_ids(self.browser)
            budget = -(-(cases - self.figures.cases) // len(active))
            still = []
            for index, (operation, mode) in enumerate(active):
                budget = min(budget, cases - self.figures.cases)
                if budget <= 0:
                    break
                done = self._operation(
                    operation, mode, ids, budget, self.seed + round_number * 1000 + index
                )
                # Fewer cases than asked: Hypothesis ran out of distinct inputs for it.
                if done >= budget:
                    still.append((operation, mode))
            active, round_number = still, round_number + 1
        self.figures.session_alive = self.browser.alive()
        self.figures.seconds = time.monotonic() - started
        return self.figures

    def _operation(
        self,
        operation: APIOperation,
        mode: GenerationMode,
        ids: dict[str, list[str]],
        budget: int,
        seed: int,
    ) -> int:
        done = 0

        @hypothesis.seed(seed)
        @hypothesis.settings(
            max_examples=budget,
            deadline=None,
            database=None,
            # Failures are collected, not raised: there is nothing to shrink.
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode), data=strategies.data())
        def one(case: Case, data: strategies.DataObject) -> None:
            nonlocal done
            hypothesis.assume(not _locks_out(case))
            done += 1
            if mode is GenerationMode.POSITIVE:
                _aim(case, ids, data)
            self._call(case)

        # Unsatisfiable: nothing to make invalid (no parameters, no body); valid cases cover it.
        with contextlib.suppress(Unsatisfiable):
            one()
        return done

    def _call(self, case: Case) -> None:
        self.browser.keep_alive()
        figures = self.figures
        figures.cases += 1
        headers = self.browser.headers
        try:
            response = case.call(
                base_url=self.gateway,
                session=self.browser.session,
                headers=headers,
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException as error:
            figures.no_answer += 1
            key = f"{case.operation.label}: no answer ({type(error).__name__})"
            figures.failures.setdefault(key, case.as_curl_command(headers=headers))
            return
        figures.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            self._record(case, group)

    def _record(self, case: Case, group: FailureGroup) -> None:
        figures = self.figures
        found: list[Failure] = list(group.exceptions)
        if any(isinstance(failure, ServerError) for failure in found):
            figures.server_errors += 1
        if any(not isinstance(failure, ServerError) for failure in found):
            figures.violations += 1
        for failure in found:
            figures.by_check[failure.code] += 1
            key = f"{case.operation.label}: {failure.code} {failure.title}"
            figures.failures.setdefault(key, group.message)
