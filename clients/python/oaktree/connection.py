"""A connection to one oaktree node whose methods read like openstacksdk's cloud layer.

One connection reaches every cloud the node serves. Reads ask every location the selector matches (by default all
of them) and stream back; writes go to exactly one cloud and region. Pass `cloud=`, `region=`, `zone=`, `project=`
to `connect()` as defaults, or to any method to narrow one call.
"""
import uuid
import warnings
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional

import grpc

from .exceptions import OaktreeError, PartialResultsWarning, ResourceNotFound, from_rpc_error, status_code
from .resource import Resource, to_resource
from .v1 import (
    capabilities_pb2,
    capabilities_pb2_grpc,
    compute_pb2,
    compute_pb2_grpc,
    image_pb2,
    image_pb2_grpc,
    location_pb2,
    location_pb2_grpc,
    network_pb2,
    network_pb2_grpc,
)

DEFAULT_PORT = 50051
CHUNK_BYTES = 1 << 20
_SELECTOR_KEYS = ('cloud', 'region', 'zone', 'project')


def endpoint_address(endpoint: str) -> str:
    """`HOST` alone means the default port, like the CLI; `http(s)://` prefixes are accepted and dropped."""
    for scheme in ('http://', 'https://'):
        if endpoint.startswith(scheme):
            endpoint = endpoint[len(scheme):]
    endpoint = endpoint.rstrip('/')
    has_port = endpoint.rsplit(':', 1)[-1].isdigit() and (not endpoint.startswith('[') or ']:' in endpoint)
    return endpoint if has_port else '%s:%d' % (endpoint, DEFAULT_PORT)


def _read(path: Optional[str]) -> Optional[bytes]:
    if not path:
        return None
    with open(path, 'rb') as f:
        return f.read()


def _matches(obj: Any, filters: Optional[Dict[str, Any]]) -> bool:
    """openstacksdk's client-side filter: every key must match; dict values match nested keys (metadata)."""
    for key, wanted in (filters or {}).items():
        have = obj.get(key) if isinstance(obj, dict) else None
        if isinstance(wanted, dict):
            if not isinstance(have, dict) or not _matches(have, wanted):
                return False
        elif have != wanted:
            return False
    return True


def _enum_word(enum: Any, prefix: str, argument: str, word: str) -> int:
    """A proto enum's number from its word ('public' for IMAGE_VISIBILITY_PUBLIC); '' means unset. A word the enum
    lacks is the caller's mistake: a ValueError naming the words it takes, not protobuf's message."""
    if not word:
        return 0
    words = sorted(name[len(prefix):].lower() for name in enum.keys() if not name.endswith('_UNSPECIFIED'))
    if word.lower() not in words:
        raise ValueError('%s must be one of %s; got %r' % (argument, ', '.join(words), word))
    return enum.Value(prefix + word.upper())


class Connection:
    """Talks to one oaktree node. Use `oaktree.connect()` to make one; close it (or use `with`) when done."""

    def __init__(self, endpoint: str = '127.0.0.1:50051', token: Optional[str] = None, ca: Optional[str] = None,
                 cert: Optional[str] = None, key: Optional[str] = None, server_name: Optional[str] = None,
                 strict: bool = False, fresh: bool = False, timeout: float = 60.0, **selector: str) -> None:
        unknown = set(selector) - set(_SELECTOR_KEYS)
        if unknown:
            raise TypeError('unknown argument(s): %s' % ', '.join(sorted(unknown)))
        self.endpoint = endpoint_address(endpoint)
        self.strict = strict
        #: Ask the clouds on every read instead of the node's short-lived cache.
        self.fresh = fresh
        self.timeout = timeout
        self.selector = {k: v for k, v in selector.items() if v}
        if ca or cert:
            credentials = grpc.ssl_channel_credentials(_read(ca), _read(key), _read(cert))
            options = [('grpc.ssl_target_name_override', server_name)] if server_name else []
            self._channel = grpc.secure_channel(self.endpoint, credentials, options)
        else:
            self._channel = grpc.insecure_channel(self.endpoint)
        # Per-call metadata rather than call credentials: grpc refuses those on a plaintext loopback channel.
        self._metadata = [('authorization', 'Bearer ' + token)] if token else []
        self.compute = compute_pb2_grpc.ComputeServiceStub(self._channel)
        self.image = image_pb2_grpc.ImageServiceStub(self._channel)
        self.network = network_pb2_grpc.NetworkServiceStub(self._channel)
        self.locations = location_pb2_grpc.LocationServiceStub(self._channel)
        self.capabilities = capabilities_pb2_grpc.CapabilitiesServiceStub(self._channel)
        #: The in-band errors of the last list call (each an OaktreeError with its location).
        self.last_errors: List[OaktreeError] = []

    # -- plumbing -------------------------------------------------------------------------------------------------

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> 'Connection':
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _where(self, overrides: Dict[str, Any]) -> location_pb2.LocationSelector:
        merged = dict(self.selector)
        merged.update({k: v for k, v in overrides.items() if k in _SELECTOR_KEYS and v})
        project = merged.pop('project', None)
        return location_pb2.LocationSelector(
            project=location_pb2.Project(name=project) if project else None, **merged)

    def _call(self, method: Callable[..., Any], request: Any, timeout: Optional[float] = None) -> Any:
        try:
            return method(request, timeout=timeout or self.timeout, metadata=self._metadata)
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None

    def _stream(self, method: Callable[..., Any], request: Any, timeout: Optional[float] = None) -> Iterator[Any]:
        try:
            for message in method(request, timeout=timeout or self.timeout, metadata=self._metadata):
                yield message
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None

    def _in_band(self, error: Any, strict: Optional[bool]) -> None:
        failure = OaktreeError(status_code(error.code), error.message, to_resource(error.location))
        self.last_errors.append(failure)
        if self.strict if strict is None else strict:
            raise failure
        warnings.warn(PartialResultsWarning(failure), stacklevel=4)

    def _list(self, method: Callable[..., Any], request: Any, field: str, filters: Optional[Dict[str, Any]] = None,
              strict: Optional[bool] = None) -> List[Resource]:
        self.last_errors = []
        if self.fresh and 'fresh' in request.DESCRIPTOR.fields_by_name:
            request.fresh = True
        out = []
        for message in self._stream(method, request):
            if message.WhichOneof('item') == 'error':
                self._in_band(message.error, strict)
                continue
            obj = to_resource(getattr(message, field))
            if _matches(obj, filters):
                out.append(obj)
        return out

    # -- servers --------------------------------------------------------------------------------------------------

    def list_servers(self, filters: Optional[Dict[str, Any]] = None, strict: Optional[bool] = None,
                     **where: Any) -> List[Resource]:
        """Every server the selector reaches; `filters` match client-side like openstacksdk's (metadata nests)."""
        request = compute_pb2.ListServersRequest(location=self._where(where))
        return self._list(self.compute.ListServers, request, 'server', filters, strict)

    def get_server(self, name_or_id: str, filters: Optional[Dict[str, Any]] = None, **where: Any) -> Optional[Resource]:
        """The server, or None when there is none (openstacksdk's answer); OaktreeError when the name is ambiguous."""
        try:
            reply = self._call(self.compute.GetServer,
                               compute_pb2.GetServerRequest(location=self._where(where), name_or_id=name_or_id))
        except ResourceNotFound:
            return None
        server = to_resource(reply.server)
        return server if _matches(server, filters) else None

    def create_server(self, name: str, image: str, flavor: str, network: Any = None, key_name: str = '',
                      meta: Optional[Dict[str, str]] = None, security_groups: Iterable[str] = (),
                      userdata: str = '', availability_zone: str = '', auto_ip: bool = True, wait: bool = False,
                      timeout: float = 180, boot_from_volume: bool = False, volume_size: int = 0,
                      config_drive: bool = False, request_id: Optional[str] = None, **where: Any) -> Resource:
        """Boots a server in one cloud and region. With wait=True it returns once ACTIVE with its addresses and,
        when auto_ip is on and the cloud needs one, a floating IP (like openstacksdk). A retry with the same
        request_id returns the same server instead of a second one."""
        networks = [network] if isinstance(network, str) else list(network or [])
        request = compute_pb2.CreateServerRequest(
            location=self._where(where), name=name, image=image, flavor=flavor, networks=networks,
            key_name=key_name, metadata=meta or {}, security_groups=list(security_groups), user_data=userdata,
            availability_zone=availability_zone, boot_from_volume=boot_from_volume,
            boot_volume_size_gb=int(volume_size or 0), config_drive=config_drive, wait=wait,
            floating_ip=compute_pb2.FLOATING_IP_MODE_AUTO if auto_ip else compute_pb2.FLOATING_IP_MODE_NONE,
            request_id=request_id or str(uuid.uuid4()))
        server = None
        for message in self._stream(self.compute.CreateServer, request, timeout):
            server = to_resource(message.server)
            if message.stage == compute_pb2.CREATE_SERVER_STAGE_FAILED:
                fault = (server.get('fault') or {}).get('message') or 'the cloud put it in ERROR'
                raise OaktreeError(grpc.StatusCode.ABORTED,
                                   'server %s (%s) failed to boot: %s' % (name, server.id, fault), server.location)
        if server is None:
            raise OaktreeError(grpc.StatusCode.INTERNAL, 'the node ended create_server without an answer')
        return server

    def wait_for_server(self, server: Any, timeout: float = 180, **where: Any) -> Resource:
        """Returns once the server is ACTIVE (raises when it goes to ERROR); one stream, no polling."""
        name_or_id = server if isinstance(server, str) else server['id']
        if not isinstance(server, str) and not where:
            where = {k: v for k, v in (server.get('location') or {}).items() if k in ('cloud', 'region')}
        request = compute_pb2.WaitForServerRequest(
            location=self._where(where), name_or_id=name_or_id,
            until=[compute_pb2.SERVER_STATUS_ACTIVE, compute_pb2.SERVER_STATUS_ERROR])
        last = None
        for message in self._stream(self.compute.WaitForServer, request, timeout):
            last = to_resource(message.server)
        if last is None or last.status != 'ACTIVE':
            status = last.status if last else 'unknown'
            raise OaktreeError(grpc.StatusCode.ABORTED, 'server %s is %s, not ACTIVE' % (name_or_id, status),
                               last.location if last else None)
        return last

    def delete_server(self, name_or_id: str, wait: bool = False, timeout: float = 180, delete_ips: bool = False,
                      **where: Any) -> bool:
        """True when deleted, False when there was no such server (openstacksdk's answer)."""
        request = compute_pb2.DeleteServerRequest(location=self._where(where), name_or_id=name_or_id,
                                                  delete_floating_ips=delete_ips, wait=wait)
        try:
            self._call(self.compute.DeleteServer, request, timeout)
        except ResourceNotFound:
            return False
        return True

    def watch_servers(self, server_ids: Iterable[str] = (), resume_token: str = '', strict: Optional[bool] = None,
                      timeout: Optional[float] = None, **where: Any) -> Iterator[Resource]:
        """Yields server events as they happen: Resource(type=EXISTING|ADDED|MODIFIED|DELETED, server=...,
        resume_token=...), and Resource(type='CHECKPOINT', location=...) once a location's initial state is sent.
        Runs until the caller stops iterating (or `timeout` seconds pass)."""
        request = compute_pb2.WatchServersRequest(location=self._where(where), server_ids=list(server_ids),
                                                  resume_token=resume_token)
        call = self.compute.WatchServers(request, timeout=timeout, metadata=self._metadata)
        try:
            for message in call:
                kind = message.WhichOneof('item')
                if kind == 'error':
                    self._in_band(message.error, strict)
                elif kind == 'checkpoint':
                    yield Resource(type='CHECKPOINT', location=to_resource(message.checkpoint.location),
                                   resume_token=message.resume_token)
                else:
                    event = to_resource(message.event)
                    yield Resource(type=event.type, server=event.server, resume_token=message.resume_token)
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.CANCELLED:
                raise from_rpc_error(error) from None
        finally:
            call.cancel()

    # -- the rest of the cloud layer ------------------------------------------------------------------------------

    def list_flavors(self, filters: Optional[Dict[str, Any]] = None, min_ram: int = 0, strict: Optional[bool] = None,
                     **where: Any) -> List[Resource]:
        request = compute_pb2.ListFlavorsRequest(location=self._where(where), min_ram_mb=min_ram)
        return self._list(self.compute.ListFlavors, request, 'flavor', filters, strict)

    def list_images(self, filters: Optional[Dict[str, Any]] = None, strict: Optional[bool] = None,
                    **where: Any) -> List[Resource]:
        request = image_pb2.ListImagesRequest(location=self._where(where))
        return self._list(self.image.ListImages, request, 'image', filters, strict)

    def list_networks(self, filters: Optional[Dict[str, Any]] = None, strict: Optional[bool] = None,
                      **where: Any) -> List[Resource]:
        request = network_pb2.ListNetworksRequest(location=self._where(where))
        return self._list(self.network.ListNetworks, request, 'network', filters, strict)

    def list_keypairs(self, filters: Optional[Dict[str, Any]] = None, strict: Optional[bool] = None,
                      **where: Any) -> List[Resource]:
        request = compute_pb2.ListKeypairsRequest(location=self._where(where))
        return self._list(self.compute.ListKeypairs, request, 'keypair', filters, strict)

    def list_floating_ips(self, filters: Optional[Dict[str, Any]] = None, strict: Optional[bool] = None,
                          **where: Any) -> List[Resource]:
        request = network_pb2.ListFloatingIPsRequest(location=self._where(where))
        return self._list(self.network.ListFloatingIPs, request, 'floating_ip', filters, strict)

    def list_locations(self, strict: Optional[bool] = None, **where: Any) -> List[Resource]:
        request = location_pb2.ListLocationsRequest(location=self._where(where))
        return self._list(self.locations.ListLocations, request, 'location', None, strict)

    def get_capabilities(self, strict: Optional[bool] = None, **where: Any) -> List[Resource]:
        """What each location can do (services, image formats, whether a floating IP is needed ...)."""
        request = capabilities_pb2.ListCapabilitiesRequest(location=self._where(where))
        return self._list(self.capabilities.ListCapabilities, request, 'capabilities', None, strict)

    def create_floating_ip(self, network: str = '', server: str = '', fixed_address: str = '',
                           request_id: Optional[str] = None, **where: Any) -> Resource:
        """Allocates a floating IP in one cloud and region, attached to `server` (name or id) when given."""
        request = network_pb2.CreateFloatingIPRequest(location=self._where(where), network=network, server=server,
                                                      fixed_address=fixed_address,
                                                      request_id=request_id or str(uuid.uuid4()))
        return to_resource(self._call(self.network.CreateFloatingIP, request).floating_ip)

    def delete_unattached_floating_ips(self, **where: Any) -> int:
        """Deletes the floating IPs no port uses in one cloud and region; returns how many."""
        request = network_pb2.DeleteUnattachedFloatingIPsRequest(location=self._where(where))
        return len(self._call(self.network.DeleteUnattachedFloatingIPs, request).deleted)

    def create_image(self, name: str, filename: Optional[str] = None, data: Optional[bytes] = None,
                     disk_format: str = '', container_format: str = '', meta: Optional[Dict[str, str]] = None,
                     tags: Iterable[str] = (), visibility: str = '', all_matching_locations: bool = False,
                     timeout: float = 3600, request_id: Optional[str] = None, **where: Any) -> Resource:
        """Uploads an image, streamed from `filename` (or `data`) in 1 MiB chunks, never read whole. Returns the
        image; with all_matching_locations=True, every location's image in `images` (a failed one raises)."""
        if (filename is None) == (data is None):
            raise TypeError('create_image needs exactly one of filename= or data=')
        visibility_value = _enum_word(image_pb2.ImageVisibility, 'IMAGE_VISIBILITY_', 'visibility', visibility)
        header = image_pb2.UploadImageHeader(
            location=self._where(where), all_matching_locations=all_matching_locations, name=name,
            disk_format=disk_format, container_format=container_format, visibility=visibility_value,
            tags=list(tags), properties=meta or {}, request_id=request_id or str(uuid.uuid4()))

        def parts() -> Iterator[image_pb2.UploadImageRequest]:
            yield image_pb2.UploadImageRequest(header=header)
            if data is not None:
                for at in range(0, len(data), CHUNK_BYTES):
                    yield image_pb2.UploadImageRequest(chunk=data[at:at + CHUNK_BYTES])
                return
            with open(filename, 'rb') as f:
                for chunk in iter(lambda: f.read(CHUNK_BYTES), b''):
                    yield image_pb2.UploadImageRequest(chunk=chunk)

        reply = self._call(self.image.UploadImage, parts(), timeout)
        images = []
        for result in reply.results:
            if result.HasField('error'):
                raise OaktreeError(status_code(result.error.code), result.error.message,
                                   to_resource(result.error.location))
            images.append(to_resource(result.image))
        if not images:
            raise OaktreeError(grpc.StatusCode.INTERNAL, 'the node stored image %s nowhere' % name)
        first = images[0]
        if len(images) > 1:
            first['images'] = images
        return first

    def delete_image(self, name_or_id: str, **where: Any) -> bool:
        try:
            self._call(self.image.DeleteImage,
                       image_pb2.DeleteImageRequest(location=self._where(where), name_or_id=name_or_id))
        except ResourceNotFound:
            return False
        return True
