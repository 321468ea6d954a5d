"""A TCP forwarder the tests can cut and restore, to make a real server unreachable."""

import asyncio
import contextlib
import random
import socket
from pathlib import Path

# Ports the kernel hands to outgoing connections (its ephemeral range): a port picked there can be
# taken by any client socket of the machine between the pick and the server's bind (seen: a test
# platform's api refused to start on a port an outgoing connection had taken meanwhile).
EPHEMERAL_FLOOR = 32768
LOWEST = 10000
_given: set[int] = set()


def _ephemeral_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return EPHEMERAL_FLOOR


def free_port() -> int:
    """A port nothing listens on right now, below the kernel's ephemeral range (so no outgoing
    connection takes it), and not given before by this process."""
    ceiling = _ephemeral_floor()
    while True:
        port = random.randrange(LOWEST, ceiling)  # noqa: S311 - not a secret
        if port in _given:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `cut()` drops everything, `restore()` listens."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        """Accept connections and forward them."""
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """Stop listening and drop every open connection (the peer sees a dead server)."""
        # Connections first: from Python 3.12, wait_closed() waits for them to end.
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers.difference_update((writer, up_writer))
