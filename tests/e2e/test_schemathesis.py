"""The in-suite fuzz run: a bounded schemathesis run through the gateway, signed in, as the
administrator of an organization of its own on the worker's shared platform.

`make fuzz` runs the same harness for 20,000 cases (tests/fuzz/run.py) with a fresh seed each
time, to explore; this run keeps one seed, so that a change fails or passes it the same way on
every machine. FUZZ_CASES changes the number of cases here, FUZZ_SEED the inputs.
"""

import os

import pytest

from tests.e2e.department import Department
from tests.fuzz.harness import Fuzzer

pytestmark = pytest.mark.e2e
# Enough for every documented operation in both generation modes (the first round gives each
# its share), about fifteen seconds on a loaded two-core machine; exploring is the release run's.
CASES = int(os.environ.get("FUZZ_CASES", "400"))
SEED = int(os.environ.get("FUZZ_SEED", "20261205"))


def test_generated_requests_get_only_documented_answers(department: Department) -> None:
    figures = Fuzzer(department.gateway, department.admin_username, SEED).run(CASES)
    report = f"FUZZ_SEED={SEED}: {figures.summary()}"
    assert figures.cases == CASES, report
    if not figures.clean:
        pytest.fail(report, pytrace=False)
