"""`make fuzz`: the release fuzz run, `python -m tests.fuzz.run --cases 20000 [--seed N]`.

Starts the platform on a fresh MariaDB database with its administrator, runs the harness through
the gateway and prints the figures (and every distinct failure); exits 1 on any failure.
"""

import argparse
import random
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.measure import commit
from tests.e2e.department import running_department
from tests.fuzz.harness import Fuzzer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=random.randrange(2**32))  # noqa: S311
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="logbook-fuzz-"))
    with running_department(workdir, "fuzz") as department:
        figures = Fuzzer(department.gateway, department.admin_username, args.seed).run(args.cases)
    sys.stdout.write(f"seed {args.seed}: {figures.summary()}\n")
    if figures.clean:
        shutil.rmtree(workdir)
    else:
        # The services' logs hold the traceback of each 5xx, by the request id of its answer.
        sys.stdout.write(f"platform logs kept in {workdir}\n")
    # The line docs/RELIABILITY.md keeps as the last figures.
    sys.stdout.write(
        f"| {datetime.now(UTC):%Y-%m-%d} | {commit()} | {figures.cases} | "
        f"{figures.server_errors} | {figures.violations} | {figures.seconds / 60:.1f} min |\n"
    )
    return 0 if figures.clean else 1


if __name__ == "__main__":
    sys.exit(main())
