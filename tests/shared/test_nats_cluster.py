"""A three-server NATS JetStream cluster: the services reach it through a list of servers, and
the stream is kept on as many of them as NATS_STREAM_REPLICAS says (issue 15, scale-out)."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from nats.js import JetStreamContext
from nats.js.api import StreamInfo

from shared.events.nats import NatsConnection, ensure_stream
from tests.support.proxy import free_port
from tests.support.servers import NatsServer

STREAM = "LOGBOOK"
CLUSTER_SIZE = 3


class ClusterNode(NatsServer):
    """One server of a cluster whose route ports are known before any of them starts."""

    def __init__(self, workdir: Path, index: int, routes: list[int]) -> None:
        super().__init__(workdir)
        self.index = index
        self.routes = routes

    def argv(self) -> list[str]:
        peers = ",".join(f"nats://127.0.0.1:{port}" for port in self.routes)
        return [
            *super().argv(),
            *("--server_name", f"n{self.index}", "--cluster_name", "logbook-test"),
            *("--cluster", f"nats://127.0.0.1:{self.routes[self.index]}", "--routes", peers),
        ]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ClusterNode]]:
    """Three clustered servers with JetStream, each with a store of its own; the module's tests
    share them (a cluster takes about 5 s to start and elect its leaders)."""
    workdir = tmp_path_factory.mktemp("nats-cluster")
    routes = [free_port() for _ in range(CLUSTER_SIZE)]
    nodes = [ClusterNode(workdir / f"n{i}", i, routes) for i in range(CLUSTER_SIZE)]
    try:
        for node in nodes:
            node.start()
        yield nodes
    finally:
        for node in nodes:
            node.kill()


@pytest.fixture(scope="module")
async def connection(cluster: list[ClusterNode]) -> AsyncIterator[NatsConnection]:
    """The services' connection, given a server that is down first and then the cluster's, with
    three copies of the stream."""
    servers = [f"nats://127.0.0.1:{free_port()}", *(node.url for node in cluster)]
    nats = NatsConnection(",".join(servers), STREAM, name="cluster-test", replicas=CLUSTER_SIZE)
    nats.start()
    try:
        # The cluster elects its leaders first; the connection keeps trying until then.
        await asyncio.wait_for(nats.ready.wait(), 60)
        yield nats
    finally:
        await nats.close()


async def copies(js: JetStreamContext, stream: str = STREAM) -> tuple[int, int]:
    """A stream's configured copies, and the servers holding one (its leader and replicas)."""
    info: StreamInfo = await js.stream_info(stream)
    holders = 0
    if info.cluster is not None:
        holders = (1 if info.cluster.leader else 0) + len(info.cluster.replicas or [])
    return info.config.num_replicas or 1, holders


async def test_a_stream_is_created_with_a_copy_on_every_server(
    connection: NatsConnection,
) -> None:
    assert connection.client is not None
    assert connection.client.connected_url is not None
    assert connection.client.connected_url.port != int(connection.servers[0].rsplit(":", 1)[1])
    assert await copies(connection.jetstream) == (CLUSTER_SIZE, CLUSTER_SIZE)


async def test_an_existing_stream_gets_the_copies_the_setting_asks_for(
    connection: NatsConnection,
) -> None:
    # A deployment that started on one copy and was then given a cluster.
    js = connection.jetstream
    await js.delete_stream(STREAM)
    await ensure_stream(js, STREAM, 1)
    assert await copies(js) == (1, 1)
    await ensure_stream(js, STREAM, CLUSTER_SIZE)
    # The new copies are placed by the cluster after the update is accepted.
    async with asyncio.timeout(30):
        while await copies(js) != (CLUSTER_SIZE, CLUSTER_SIZE):
            await asyncio.sleep(0.1)
