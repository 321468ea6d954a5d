"""The gateway's share of each answer, through the whole platform (issue 15 item 8): the roster
is compressed for a browser that accepts it, and a request leaves one log line at the default
level, the service's, with the request id and the duration."""

import gzip
import json
from typing import Any

import pytest

from tests.e2e.department import Department

pytestmark = pytest.mark.e2e
ROSTER = "/api/v1/users"


def mentions(line: dict[str, Any], request_id: str) -> bool:
    """Whether a log line names the request id, in any field."""
    return request_id in json.dumps(line)


class TestCompression:
    def test_the_roster_is_gzipped_when_asked_and_sent_as_is_when_not(
        self, department: Department
    ) -> None:
        for _ in range(3):  # a roster well over the 512 bytes below which nothing is compressed
            department.add_member("member")
        with department.signed_in(department.admin_username) as client:
            headers = {"Accept-Encoding": "gzip"}
            with client.stream("GET", ROSTER, headers=headers) as compressed:
                wire = b"".join(compressed.iter_raw())
            plain = client.get(ROSTER, headers={"Accept-Encoding": "identity"})

        assert compressed.headers["content-encoding"] == "gzip"
        assert "content-encoding" not in plain.headers
        assert plain.headers["content-length"] == str(len(plain.content))
        assert json.loads(gzip.decompress(wire)) == plain.json()
        assert len(wire) < len(plain.content)


class TestOneLinePerRequest:
    def test_a_request_leaves_the_services_line_with_its_id_and_duration(
        self, department: Department
    ) -> None:
        with department.signed_in(department.admin_username) as client:
            request_id = client.get(ROSTER).headers["x-request-id"]
            # Answered by the gateway itself, on the same connection: Caddy reads it only after
            # it has finished the roster request, its access line included (if it wrote one).
            gateways_own = client.get("/internal").headers["x-request-id"]

        lines = department.stack.json_lines_until(
            lambda found: (
                any(
                    line.get("event") == "http.request" and line.get("req_id") == request_id
                    for line in found
                )
                and any(mentions(line, gateways_own) for line in found)
            )
        )
        (line,) = [line for line in lines if mentions(line, request_id)]
        assert (line["event"], line["service"]) == ("http.request", "api")
        assert (line["method"], line["path"], line["status"]) == ("GET", ROSTER, 200)
        assert isinstance(line["duration"], float | int)
        # What no service saw is the gateway's to log, with the same id.
        (own,) = [line for line in lines if mentions(line, gateways_own)]
        assert (own["req_id"], own["status"]) == (gateways_own, 404)
