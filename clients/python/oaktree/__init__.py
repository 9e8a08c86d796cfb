"""oaktree for Python: one connection to an oaktree node, methods like openstacksdk's cloud layer.

    import oaktree
    with oaktree.connect('127.0.0.1:50051') as conn:
        for server in conn.list_servers():
            print(server.location.cloud, server.name, server.status)
"""
from typing import Any, Optional

from .connection import Connection, endpoint_address
from .exceptions import OaktreeError, PartialResultsWarning, ResourceNotFound
from .resource import Resource

__all__ = ['connect', 'Connection', 'OaktreeError', 'PartialResultsWarning', 'Resource', 'ResourceNotFound',
           'endpoint_address']


def connect(endpoint: str = '127.0.0.1:50051', token: Optional[str] = None, ca: Optional[str] = None,
            **options: Any) -> Connection:
    """A Connection to the node at `endpoint` (HOST alone means port 50051). `token` is sent as a bearer token;
    `ca` (a PEM file) turns on TLS. Other options: cert=, key=, server_name=, strict= (raise on a failed location),
    fresh= (bypass the node's cache), timeout=, and default
    cloud=, region=, zone=, project= for every call."""
    return Connection(endpoint, token=token, ca=ca, **options)
