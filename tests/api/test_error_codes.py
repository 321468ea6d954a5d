"""The support-code catalogue covers every code the services answer with, as declared."""

import gc
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import api.app  # noqa: F401 - imports every api area's error classes
import auth.app  # noqa: F401 - imports the auth service's error classes
from api.error_reports.codes import AUTH_SERVICE_CODES, catalogue
from shared.errors import AppError

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r'"(LB-(?!API-)[A-Z]+-\d{3})"')


def subclasses(cls: type[AppError]) -> Iterator[type[AppError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def test_every_code_written_in_the_sources_is_in_the_catalogue() -> None:
    # Literals too: the shared handlers answer LB-VAL-001 and LB-SYS-001 without a class.
    sources = [
        *(ROOT / "shared/src/shared").rglob("*.py"),
        *(ROOT / "services").glob("*/src/**/*.py"),
    ]
    written = {code for path in sources for code in CODE.findall(path.read_text())}
    listed = {entry.code for entry in catalogue()}
    assert written - listed == set()
    assert {"LB-VAL-001", "LB-SYS-001", "LB-AUTH-006"} <= written


def test_the_auth_services_codes_are_listed_as_its_classes_declare_them() -> None:
    def curated(prefix: str) -> list[type[AppError]]:
        found = [
            cls
            for cls in subclasses(AppError)
            if cls.__module__.startswith(prefix) and not cls.code.startswith("LB-API-")
        ]
        return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))

    shared_codes = {cls.code for cls in curated("shared.")}
    first_by_code: dict[str, type[AppError]] = {}
    for cls in curated("auth."):
        if cls.code not in shared_codes:
            first_by_code.setdefault(cls.code, cls)
    assert [entry.code for entry in AUTH_SERVICE_CODES] == sorted(first_by_code)
    for entry in AUTH_SERVICE_CODES:
        cls = first_by_code[entry.code]
        assert entry.title == cls.detail
        assert entry.description == (inspect.getdoc(cls) or "").splitlines()[0]


def test_each_code_is_listed_once_with_fallbacks_per_status() -> None:
    codes = [entry.code for entry in catalogue()]
    assert len(codes) == len(set(codes))
    fallbacks = [entry for entry in catalogue() if entry.category == "API"]
    assert {entry.code for entry in fallbacks} >= {"LB-API-404", "LB-API-429", "LB-API-500"}
    assert all(entry.code.startswith("LB-API-") for entry in fallbacks)


def test_a_code_of_a_new_category_is_listed_with_general_advice() -> None:
    class FutureAreaError(AppError):
        """A failure of an area written after the catalogue."""

        code = "LB-ZZZ-001"
        detail = "Something new went wrong"

    catalogue.cache_clear()
    try:
        entry = next(entry for entry in catalogue() if entry.code == "LB-ZZZ-001")
    finally:
        # Later callers in this process see the real catalogue again.
        del FutureAreaError
        gc.collect()
        catalogue.cache_clear()
    assert (entry.category, entry.title) == ("ZZZ", "Something new went wrong")
    assert entry.description == "A failure of an area written after the catalogue."
    assert entry.resolution
