"""Raw HTTP requests to a server, signed by botocore's own SigV4 signer (or not at all)."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TARGET = "AWSOrganizationsV20161128"
CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def signed_headers(
    url: str,
    body: bytes,
    headers: dict[str, str],
    key: str,
    secret: str,
    method: str = "POST",
    region: str = "us-east-1",
) -> dict[str, str]:
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(Credentials(key, secret), "organizations", region).add_auth(request)
    return dict(request.headers.items())


def send(
    url: str, method: str, path: str, body: bytes, headers: dict[str, str]
) -> Reply:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Reply(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            response.read(),
        )
    finally:
        connection.close()


def call(
    url: str,
    operation: str,
    body: bytes,
    *,
    key: str = "AKIATESTBILL",
    secret: str = "test-secret-bill",
    target: str | None = None,
    content_type: str = CONTENT_TYPE,
) -> Reply:
    """A signed POST / with the JSON 1.1 headers, as botocore would send it."""
    headers = {
        "Content-Type": content_type,
        "X-Amz-Target": target if target is not None else f"{TARGET}.{operation}",
    }
    return send(
        url, "POST", "/", body, signed_headers(url + "/", body, headers, key, secret)
    )
