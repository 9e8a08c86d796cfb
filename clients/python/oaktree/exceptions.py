"""Errors that carry what a caller needs to act: the gRPC status code and, when known, the location."""
from typing import Any, Optional

import grpc


class OaktreeError(Exception):
    """A call failed. `code` is a grpc.StatusCode; `location` the cloud/region it failed in, when known."""

    def __init__(self, code: grpc.StatusCode, message: str, location: Optional[Any] = None) -> None:
        self.code = code
        self.message = message
        self.location = location
        where = ''
        if location:
            where = ' [%s]' % '/'.join(part for part in (location.get('cloud'), location.get('region')) if part)
        super().__init__('%s%s: %s' % (code.name, where, message))


class ResourceNotFound(OaktreeError):
    """NOT_FOUND: the object does not exist where it was looked for."""


class PartialResultsWarning(UserWarning):
    """Some locations failed while the others answered (issued once per failed location; see strict=True)."""

    def __init__(self, error: OaktreeError) -> None:
        self.error = error
        super().__init__(str(error))


def status_code(number: int) -> grpc.StatusCode:
    for code in grpc.StatusCode:
        if code.value[0] == number:
            return code
    return grpc.StatusCode.UNKNOWN


def from_rpc_error(error: grpc.RpcError, location: Optional[Any] = None) -> OaktreeError:
    code = error.code() if hasattr(error, 'code') else grpc.StatusCode.UNKNOWN
    message = error.details() if hasattr(error, 'details') else str(error)
    kind = ResourceNotFound if code == grpc.StatusCode.NOT_FOUND else OaktreeError
    return kind(code, message or code.name, location)
