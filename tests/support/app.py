"""A small service built with the shared app factory, for testing the shared behaviour."""

from typing import Annotated, ClassVar
from uuid import UUID, uuid4

import msgspec
from litestar import Litestar, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ServiceUnavailableException
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from shared.app import ConsumerSpec, ServiceSpec, create_service_app
from shared.errors import AppError
from shared.events.envelope import EventData
from shared.events.outbox import Outbox
from shared.settings import Settings


class ThingCreated(EventData, frozen=True, kw_only=True):
    """Test event."""

    subject: ClassVar[str] = "logbook.test.thing.created"
    thing_id: UUID
    name: str


class ThingCreate(msgspec.Struct):
    """Test body with constraints."""

    name: Annotated[str, msgspec.Meta(min_length=3, max_length=20)]
    count: Annotated[int, msgspec.Meta(ge=0, le=10)]
    owner_id: UUID | None = None


class ThingConflictError(AppError):
    """An expected failure."""

    status_code = 409
    code = "LB-API-409"
    detail = "A thing with this name already exists"


@post("/things", status_code=201)
async def create_thing(
    data: JSONBody[ThingCreate], db_session: NamedDependency[AsyncSession]
) -> dict[str, str]:
    """Write an event through the outbox in the request's transaction."""
    envelope = Outbox(db_session).add(ThingCreated(thing_id=uuid4(), name=data.name))
    return {"event_id": str(envelope.id)}


@get("/boom")
async def boom() -> None:
    """An unhandled exception carrying text that must never reach the client."""
    raise RuntimeError("secret internal detail password=hunter2")


@get("/conflict")
async def conflict() -> None:
    """An expected failure."""
    # Field names that clash with log keys must not break the error handler.
    raise ThingConflictError(name="x", status="clash", code="clash", event="clash")


@get("/unavailable")
async def unavailable() -> None:
    """A deliberate 503 that asks the client to retry."""
    raise ServiceUnavailableException(detail="db down: secret", headers={"Retry-After": "5"})


def create_test_app(
    settings: Settings, *, consumers: tuple[ConsumerSpec, ...] = (), name: str = "testsvc"
) -> Litestar:
    """The test service; `uses_events` runs the real outbox relay."""
    spec = ServiceSpec(
        name=name,
        route_handlers=[create_thing, boom, conflict, unavailable],
        uses_events=True,
        consumers=consumers,
    )
    return create_service_app(spec, settings)
