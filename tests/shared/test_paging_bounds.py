"""Every integer parameter of every service's routes is bounded, so no number reaches SQL raw."""

from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar

from api.app import create_app as create_api
from auth.app import create_app as create_auth
from health.app import create_app as create_health
from shared.settings import Settings

SERVICES: dict[str, Callable[..., Litestar]] = {
    "auth": create_auth,
    "api": create_api,
    "health": create_health,
}


def integer_parameters(app: Litestar) -> dict[str, dict[str, Any]]:
    """`"<METHOD> <path> <name>"` -> schema of each integer query or path parameter."""
    document = app.openapi_schema.to_schema()
    found = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                types = [schema.get("type")] + [s.get("type") for s in schema.get("oneOf", [])]
                if "integer" in types:
                    found[f"{method.upper()} {path} {parameter['name']}"] = schema
    return found


def bounds(schema: dict[str, Any]) -> tuple[object, object]:
    """The minimum and maximum of an integer schema (an optional one states them outside)."""
    return schema.get("minimum"), schema.get("maximum")


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_integer_parameter_has_both_bounds(
    service: str, make_settings: Callable[..., Settings]
) -> None:
    app = SERVICES[service](make_settings())
    parameters = integer_parameters(app)
    unbounded = [name for name, schema in parameters.items() if None in bounds(schema)]
    assert unbounded == []


def test_the_paging_parameters_are_all_seen(make_settings: Callable[..., Settings]) -> None:
    # The bound check above only means something if it finds the paging parameters.
    parameters = integer_parameters(create_api(make_settings()))
    names = {name.rsplit(" ", 1)[1] for name in parameters}
    assert {"skip", "limit", "page", "page_size"} <= names
    skip = parameters["GET /api/v1/locations skip"]
    assert bounds(skip) == (0, 10**9)
