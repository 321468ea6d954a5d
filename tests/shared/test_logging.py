"""One logging pipeline: JSON lines with service and req_id, stdlib loggers too, rotation."""

import io
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from shared.logging import AgedRotatingFileHandler, configure_logging


@pytest.fixture
def json_logs() -> Iterator[Any]:
    """Configure JSON logging into a buffer; give back a reader of one logger's parsed lines.

    Only the named logger's lines count: a task or thread left by an earlier test of this worker
    (a NATS client reconnecting, a platform's output reader) may log at any moment.
    """
    configure_logging("svc", log_format="json")
    buffer = io.StringIO()
    console = logging.getLogger().handlers[0]
    assert isinstance(console, logging.StreamHandler)
    console.setStream(buffer)

    def read(logger: str) -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line]
        buffer.seek(0)
        buffer.truncate()
        return [line for line in lines if line.get("logger") == logger]

    yield read
    configure_logging("tests", log_format="text")


class TestJsonPipeline:
    def test_structlog_lines_carry_service_and_bound_request_id(self, json_logs: Any) -> None:
        with structlog.contextvars.bound_contextvars(req_id="r-1"):
            structlog.get_logger("x").info("thing.happened", count=3)
        (line,) = json_logs("x")
        assert line["event"] == "thing.happened"
        assert (line["service"], line["req_id"], line["count"]) == ("svc", "r-1", 3)
        assert line["timestamp"].endswith("Z")

    def test_lines_outside_a_request_have_a_placeholder_id(self, json_logs: Any) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.get_logger("x").info("startup")
        (line,) = json_logs("x")
        assert line["req_id"] == "-"

    @pytest.mark.parametrize(
        "name", ["uvicorn.error", "alembic.runtime.migration", "sqlalchemy.pool"]
    )
    def test_stdlib_loggers_go_through_the_same_pipeline_once(
        self, json_logs: Any, name: str
    ) -> None:
        with structlog.contextvars.bound_contextvars(req_id="r-2"):
            logging.getLogger(name).warning("from %s", "stdlib")
        (line,) = json_logs(name)  # exactly one line: no second handler duplicates it
        assert line["event"] == "from stdlib"
        assert (line["service"], line["req_id"], line["logger"]) == ("svc", "r-2", name)

    def test_tracebacks_never_show_local_variables(self, json_logs: Any) -> None:
        def fail() -> None:
            password = "hunter2"  # the secret a traceback must not reveal
            raise ValueError(len(password))

        try:
            fail()
        except ValueError:
            structlog.get_logger("x").exception("it.failed")
        (line,) = json_logs("x")
        assert line["exception"][0]["exc_type"] == "ValueError"
        assert "hunter2" not in json.dumps(line)

    def test_sql_statements_are_silent_unless_asked(self, json_logs: Any) -> None:
        logging.getLogger("sqlalchemy.engine.Engine").info("SELECT secret")
        assert json_logs("sqlalchemy.engine.Engine") == []


class TestLogFile:
    def test_log_file_receives_json_lines(self, tmp_path: Path) -> None:
        path = tmp_path / "logs" / "app.log"
        configure_logging("svc", log_format="text", log_file=path)
        try:
            structlog.get_logger("x").info("to.file", n=1)
        finally:
            configure_logging("tests", log_format="text")
        (line,) = [json.loads(raw) for raw in path.read_text().splitlines()]
        assert (line["event"], line["service"], line["n"]) == ("to.file", "svc", 1)

    def test_rotates_at_the_size_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "app.log"
        handler = AgedRotatingFileHandler(path, max_bytes=1000, max_age_seconds=3600)
        logger = logging.Logger("rotation")
        logger.addHandler(handler)
        for n in range(100):
            logger.info("line %03d %s", n, "x" * 40)
        handler.close()
        files = sorted(tmp_path.glob("app.log*"))
        assert len(files) > 3
        assert all(f.stat().st_size <= 1000 for f in files)
        text = "".join(f.read_text() for f in files)
        assert all(f"line {n:03d}" in text for n in range(100))  # nothing lost in rotation

    def test_rotation_drops_files_older_than_the_age_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "app.log"
        old, recent = tmp_path / "app.log.20260101T000000.1", tmp_path / "app.log.20261127T000000.2"
        old.write_text("old\n")
        recent.write_text("recent\n")
        eight_days_ago = time.time() - 8 * 86400
        os.utime(old, (eight_days_ago, eight_days_ago))
        handler = AgedRotatingFileHandler(path, max_bytes=100, max_age_seconds=7 * 86400)
        logger = logging.Logger("aging")
        logger.addHandler(handler)
        for _ in range(5):
            logger.info("x" * 60)
        handler.close()
        assert not old.exists()
        assert recent.exists()
