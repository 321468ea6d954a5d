"""structlog for every line of every service: text in development, JSON lines in production."""

import logging
import sys
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

import structlog
from structlog.types import EventDict, Processor, WrappedLogger

LOG_FILE_MAX_BYTES = 10 * 1024 * 1024
LOG_FILE_MAX_AGE_SECONDS = 7 * 24 * 3600
# Third-party loggers that must flow through our pipeline instead of their own handlers.
ROUTED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy", "alembic", "nats")


class AgedRotatingFileHandler(RotatingFileHandler):
    """Rotates at a size and deletes rotated files older than a maximum age."""

    def __init__(self, path: Path, max_bytes: int, max_age_seconds: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(path, maxBytes=max_bytes, backupCount=0, encoding="utf-8")
        self.max_age_seconds = max_age_seconds
        self.namer = self._timestamped

    def _timestamped(self, default_name: str) -> str:  # noqa: ARG002 - stdlib namer signature
        # Timestamped names never collide, so no rotated file is overwritten before it ages out.
        return (
            f"{self.baseFilename}.{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}.{time.time_ns()}"
        )

    def doRollover(self) -> None:  # noqa: N802 - stdlib name
        """Close the file, rename it with a timestamp, open a new one, drop old files."""
        if self.stream:
            self.stream.close()
        base = Path(self.baseFilename)
        if base.exists():
            base.rename(self.rotation_filename(self.baseFilename))
        self.stream = self._open()
        self.prune()

    def prune(self) -> None:
        """Delete rotated files older than the maximum age."""
        base = Path(self.baseFilename)
        cutoff = time.time() - self.max_age_seconds
        for rotated in base.parent.glob(base.name + ".*"):
            if rotated.stat().st_mtime < cutoff:
                rotated.unlink(missing_ok=True)

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 - stdlib name
        """Rotate on size only (the base class also checks for special files each time)."""
        if self.stream is None:
            self.stream = self._open()
        return self.stream.tell() + len(self.format(record)) + 1 > self.maxBytes


def _add_defaults(service: str) -> Processor:
    def add(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        event_dict.setdefault("req_id", "-")
        return event_dict

    return add


def _drop_color_message(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    # uvicorn duplicates each message with ANSI codes in `color_message`.
    event_dict.pop("color_message", None)
    return event_dict


def configure_logging(
    service: str,
    *,
    log_format: str = "text",
    level: str = "INFO",
    log_file: Path | None = None,
    sql_echo: bool = False,
) -> None:
    """Route structlog and stdlib loggers (uvicorn, SQLAlchemy, Alembic) through one pipeline."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        _add_defaults(service),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_color_message,
    ]
    renderer: Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
        # Tracebacks as data, never with local variables (they may hold secrets).
        exc: list[Processor] = [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            )
        ]
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(),
            exception_formatter=structlog.dev.plain_traceback,
        )
        exc = []
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *exc, renderer],
    )
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        file_handler = AgedRotatingFileHandler(
            log_file, LOG_FILE_MAX_BYTES, LOG_FILE_MAX_AGE_SECONDS
        )
        file_handler.prune()
        # The file is for machines: always JSON, whatever the console shows.
        file_handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                foreign_pre_chain=shared,
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.ExceptionRenderer(
                        structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
                    ),
                    structlog.processors.JSONRenderer(),
                ],
            )
        )
        handlers.append(file_handler)
    for handler in handlers[:1]:
        handler.setFormatter(formatter)

    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ROUTED_LOGGERS:
        routed = logging.getLogger(name)
        routed.handlers.clear()
        routed.propagate = True
    # SQL statements only when asked for (DB_ECHO); never through SQLAlchemy's own handler.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO if sql_echo else logging.WARNING)
    logging.getLogger("sqlalchemy.pool").setLevel(logging.WARNING)
    # Client libraries log every request at INFO; our access lines already say it once.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # Our middleware writes the access line; uvicorn's would be a duplicate.
    logging.getLogger("uvicorn.access").disabled = True

    structlog.configure(
        processors=[
            *shared[:1],
            structlog.stdlib.filter_by_level,
            *shared[1:],
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
