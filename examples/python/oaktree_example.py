#!/usr/bin/python3
"""oaktree from Python with the oaktree package: list locations and flavors, then create a server, wait for it,
delete it.

Install the package first (its gRPC stubs are generated when it is built, never at run time):
    pip install --no-build-isolation ./clients/python      (Debian: see clients/python/README.md)

    /usr/bin/python3 examples/python/oaktree_example.py [--endpoint 127.0.0.1:50051] [--cloud NAME] [--region NAME]
"""
import argparse
import os
import warnings

import oaktree


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

    where = {'cloud': args.cloud, 'region': args.region}
    with oaktree.connect(args.endpoint, token=args.token, ca=args.ca, cert=args.cert, key=args.key,
                         server_name=args.server_name, timeout=30) as conn:
        # A location that fails is a warning; the others still answer.
        warnings.simplefilter('always', oaktree.PartialResultsWarning)
        print('locations:')
        found = conn.list_locations(**where)
        for location in found:
            print('  %s/%s (project %s)' % (location.cloud, location.region, location.project.name))

        print('flavors:')
        flavors = conn.list_flavors(**where)
        for f in flavors:
            print('  %s/%s  %-10s %d vCPU  %d MiB' % (f.location.cloud, f.location.region, f.name, f.vcpus, f.ram_mb))

        # A write goes to exactly one cloud and region.
        target = {'cloud': found[0].cloud, 'region': found[0].region}
        here = [f for f in flavors if (f.location.cloud, f.location.region) == (target['cloud'], target['region'])]
        flavor = min(here, key=lambda f: (f.ram_mb, f.vcpus))
        images = conn.list_images(filters={'status': 'ACTIVE'}, strict=True, **target)
        image = next((i for i in images if i.name.startswith('cirros')), images[0])

        print('creating %s in %s/%s (flavor %s, image %s)' % (args.name, target['cloud'], target['region'],
                                                              flavor.name, image.name))
        server = conn.create_server(args.name, image=image.id, flavor=flavor.id, wait=True, timeout=120, **target)
        print('%s is %s at %s' % (server.name, server.status, server.interface_ip))

        conn.delete_server(server.id, wait=True, delete_ips=True, timeout=120, **target)
        print('deleted %s (%s)' % (server.name, server.id))

        # Like openstacksdk, a missing server is None; failed calls raise with the gRPC status code.
        print('getting it again: %s' % ('NOT_FOUND' if conn.get_server(server.id, **target) is None else 'found'))
        try:
            conn.create_server(args.name, image='no-such-image', flavor=flavor.id, **target)
        except oaktree.OaktreeError as error:
            print('booting a missing image: %s' % error.code.name)

if __name__ == '__main__':
    main()
