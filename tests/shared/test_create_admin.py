"""`logbook create-admin` names the first administrator (issue 11, fix 4).

It set no name, so the member list showed "?" and "@chief". The names are options, asked for
at a terminal like the password, and required. Runs the real command on a SQLite file.
"""

import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

LOGBOOK = Path(sys.executable).parent / "logbook"
PASSWORD = "Engine-Nine-Rolls#42"
BASE = ["create-admin", "--org-name", "Station 9", "--email", "chief@station9.example.org"]


def env(database: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(database.parent),
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
    }


def scripted(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as a script runs it: the password on standard input."""
    return subprocess.run(
        [str(LOGBOOK), *BASE, "--username", "chief", *args],
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        cwd=database.parent,
        env=env(database),
        timeout=60,
        check=False,
    )


def names(database: Path) -> list[tuple[str | None, str | None]]:
    if not database.exists():
        return []
    with sqlite3.connect(database) as db:
        try:
            return db.execute("SELECT first_name, last_name FROM users").fetchall()
        except sqlite3.OperationalError:  # no tables: nothing was migrated either
            return []


class TestScripted:
    def test_the_names_given_are_stored(self, tmp_path: Path) -> None:
        database = tmp_path / "logbook.db"
        done = scripted(database, "--first-name", "Dana", "--last-name", "Reyes")
        assert done.returncode == 0, done.stderr
        assert names(database) == [("Dana", "Reyes")]

    def test_without_names_nothing_is_created(self, tmp_path: Path) -> None:
        database = tmp_path / "logbook.db"
        done = scripted(database, "--first-name", "Dana")
        assert done.returncode == 1
        assert "last name" in done.stderr
        assert names(database) == []

    def test_blank_names_are_refused(self, tmp_path: Path) -> None:
        database = tmp_path / "logbook.db"
        done = scripted(database, "--first-name", "  ", "--last-name", "Reyes")
        assert done.returncode == 1
        assert "first name" in done.stderr
        assert names(database) == []


def converse(database: Path, answers: dict[str, str]) -> tuple[int, str]:
    """Run the command on a terminal, answering each prompt that ends with a key of `answers`."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: its terminal is the pty
        os.chdir(database.parent)
        command = [str(LOGBOOK), *BASE, "--username", "chief"]
        os.execve(command[0], command, env(database))  # noqa: S606 - a fixed argument list
    seen, pending = "", dict(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(terminal, 1024).decode(errors="replace")
        except OSError:  # the child closed the terminal: it has exited
            break
        seen += chunk
        for prompt in list(pending):
            if seen.rstrip().endswith(prompt):
                os.write(terminal, (pending.pop(prompt) + "\n").encode())
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    return os.waitstatus_to_exitcode(status), seen


class TestAtATerminal:
    def test_the_names_are_asked_for(self, tmp_path: Path) -> None:
        database = tmp_path / "logbook.db"
        code, transcript = converse(
            database,
            {
                "First name of the administrator:": "Dana",
                "Last name of the administrator:": "Reyes",
                "Password for the administrator:": PASSWORD,
                "Repeat the password:": PASSWORD,
            },
        )
        assert code == 0, transcript
        assert names(database) == [("Dana", "Reyes")]
