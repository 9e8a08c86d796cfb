#!/usr/bin/python3
"""oaktree from Python with plain gRPC: list locations and flavors, then create a server, wait for it, delete it.

Needs Debian's python3-grpcio, protobuf-compiler and protobuf-compiler-grpc (run it with /usr/bin/python3). The
stubs are generated at run time from the repository's proto/ into a temporary directory, never committed.

    /usr/bin/python3 examples/python/oaktree_example.py [--endpoint 127.0.0.1:50051] [--cloud NAME] [--region NAME]
"""
import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, '..', '..', 'proto')


def generate_stubs(out_dir):
    """Compiles proto/oaktree/v1/*.proto into Python modules in out_dir and makes them importable.

    Debian's protoc 3.21 (protobuf-compiler) with gRPC's Python plugin (protobuf-compiler-grpc) does it: the
    protoc bundled in python3-grpc-tools (`python3 -m grpc_tools.protoc`) is 3.5.1, older than proto3 `optional`,
    which oaktree's contract uses. The generated code matches Debian's python3-protobuf 3.21 runtime.
    """
    sources = sorted(
        os.path.join('oaktree', 'v1', name)
        for name in os.listdir(os.path.join(PROTO_DIR, 'oaktree', 'v1'))
        if name.endswith('.proto')
    )
    plugin = shutil.which('grpc_python_plugin')
    if not shutil.which('protoc') or not plugin:
        raise SystemExit('needs protoc and grpc_python_plugin: apt-get install protobuf-compiler protobuf-compiler-grpc')
    command = ['protoc', '-I', PROTO_DIR, '-I', '/usr/include', '--python_out', out_dir,
               '--plugin=protoc-gen-grpc_python=' + plugin, '--grpc_python_out', out_dir] + sources
    if subprocess.call(command) != 0:
        raise SystemExit('protoc failed: ' + ' '.join(command))
    sys.path.insert(0, out_dir)


def open_channel(grpc, args):
    """Plaintext for a local node; TLS when a CA or a client certificate is given."""
    if not (args.ca or args.cert):
        return grpc.insecure_channel(args.endpoint)
    def read(path):
        with open(path, 'rb') as f:
            return f.read()
    credentials = grpc.ssl_channel_credentials(
        read(args.ca) if args.ca else None, read(args.key) if args.key else None, read(args.cert) if args.cert else None)
    options = [('grpc.ssl_target_name_override', args.server_name)] if args.server_name else []
    return grpc.secure_channel(args.endpoint, credentials, options)


def bearer(grpc, token):
    """An interceptor that sends `authorization: Bearer <token>` with every unary and server-streaming call."""
    class Details(grpc.ClientCallDetails):
        def __init__(self, d):
            self.method, self.timeout, self.credentials = d.method, d.timeout, d.credentials
            self.wait_for_ready, self.compression = getattr(d, 'wait_for_ready', None), getattr(d, 'compression', None)
            self.metadata = list(d.metadata or []) + [('authorization', 'Bearer ' + token)]

    class Bearer(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
        def intercept_unary_unary(self, continuation, details, request):
            return continuation(Details(details), request)

        def intercept_unary_stream(self, continuation, details, request):
            return continuation(Details(details), request)

    return Bearer()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--endpoint', default=os.environ.get('OAKTREE_ENDPOINT', '127.0.0.1:50051'))
    parser.add_argument('--cloud', default='')
    parser.add_argument('--region', default='')
    parser.add_argument('--name', default='python-example-%d' % os.getpid())
    env = os.environ.get
    parser.add_argument('--ca', default=env('OAKTREE_CA'), help='connect with TLS, trusting this CA (PEM file)')
    parser.add_argument('--cert', default=env('OAKTREE_CERT'), help='client certificate for mTLS (PEM file)')
    parser.add_argument('--key', default=env('OAKTREE_KEY'), help='the key of --cert (PEM file)')
    parser.add_argument('--server-name', default=env('OAKTREE_SERVER_NAME'), help="the name in the node's certificate")
    parser.add_argument('--token', default=env('OAKTREE_TOKEN'), help='bearer token (better: OAKTREE_TOKEN)')
    args = parser.parse_args()

    out_dir = tempfile.mkdtemp(prefix='oaktree-py-stubs-')
    try:
        generate_stubs(out_dir)
        import grpc

        location_pb2 = importlib.import_module('oaktree.v1.location_pb2')
        location_grpc = importlib.import_module('oaktree.v1.location_pb2_grpc')
        compute_pb2 = importlib.import_module('oaktree.v1.compute_pb2')
        compute_grpc = importlib.import_module('oaktree.v1.compute_pb2_grpc')
        image_pb2 = importlib.import_module('oaktree.v1.image_pb2')
        image_grpc = importlib.import_module('oaktree.v1.image_pb2_grpc')

        with open_channel(grpc, args) as raw_channel:
            channel = grpc.intercept_channel(raw_channel, bearer(grpc, args.token)) if args.token else raw_channel
            locations = location_grpc.LocationServiceStub(channel)
            compute = compute_grpc.ComputeServiceStub(channel)
            images = image_grpc.ImageServiceStub(channel)
            selector = location_pb2.LocationSelector(cloud=args.cloud, region=args.region)

            # Every list is a stream: one message per object, or an in-band error for a location that failed.
            print('locations:')
            found = []
            for item in locations.ListLocations(location_pb2.ListLocationsRequest(location=selector), timeout=30):
                if item.WhichOneof('item') == 'error':
                    print('  warning: %s: %s' % (item.error.location.cloud, item.error.message))
                    continue
                found.append(item.location)
                print('  %s/%s (project %s)' % (item.location.cloud, item.location.region, item.location.project.name))

            print('flavors:')
            flavors = []
            for item in compute.ListFlavors(compute_pb2.ListFlavorsRequest(location=selector), timeout=30):
                if item.WhichOneof('item') == 'flavor':
                    f = item.flavor
                    flavors.append(f)
                    print('  %s/%s  %-10s %d vCPU  %d MiB' % (f.location.cloud, f.location.region, f.name, f.vcpus, f.ram_mb))

            # A write goes to exactly one cloud and region.
            target = found[0]
            where = location_pb2.LocationSelector(cloud=target.cloud, region=target.region)
            flavor = min((f for f in flavors if f.location.cloud == target.cloud and f.location.region == target.region),
                         key=lambda f: (f.ram_mb, f.vcpus))
            image = None
            request = image_pb2.ListImagesRequest(location=where, status=image_pb2.IMAGE_STATUS_ACTIVE, strict=True)
            for item in images.ListImages(request, timeout=30):
                if image is None or item.image.name.startswith('cirros'):
                    image = item.image

            print('creating %s in %s/%s (flavor %s, image %s)' % (args.name, target.cloud, target.region, flavor.name, image.name))
            create = compute_pb2.CreateServerRequest(location=where, name=args.name, flavor=flavor.id, image=image.id, wait=True)
            server = None
            for message in compute.CreateServer(create, timeout=120):  # progress is pushed: no polling
                server = message.server
                print('  %s: %s' % (compute_pb2.CreateServerStage.Name(message.stage), compute_pb2.ServerStatus.Name(server.status)))
            print('%s is %s at %s' % (server.name, compute_pb2.ServerStatus.Name(server.status), server.interface_ip))

            deleted = compute.DeleteServer(
                compute_pb2.DeleteServerRequest(location=where, name_or_id=server.id, delete_floating_ips=True, wait=True),
                timeout=120,
            )
            print('deleted %s (%s)' % (server.name, deleted.id))

            # Errors are gRPC status codes with a message that says what to fix.
            try:
                compute.GetServer(compute_pb2.GetServerRequest(location=where, name_or_id=server.id), timeout=30)
            except grpc.RpcError as error:
                print('getting it again: %s' % error.code().name)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


if __name__ == '__main__':
    main()
