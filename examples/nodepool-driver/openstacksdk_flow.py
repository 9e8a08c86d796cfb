#!/usr/bin/python3
"""The same nodepool-shaped flow as oaktree_driver.py, straight to the cloud with openstacksdk's cloud layer, to
count what it costs the cloud: launch N nodes, wait for them (openstacksdk polls each server), attach floating
IPs, clean leaked servers and floating IPs by metadata, delete the nodes.

    OS_CLIENT_CONFIG_FILE=clouds.yaml /usr/bin/python3 examples/nodepool-driver/openstacksdk_flow.py \
        --cloud sim-beta --count 3 [--control http://127.0.0.1:PORT] [--inject-leak]
"""
import argparse
import json
import sys
import time
import uuid

import openstack

from oaktree_driver import LABEL_KEY, NODE_KEY, PROVIDER_KEY, cloud_requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--cloud', required=True)
    parser.add_argument('--region', default='RegionOne')
    parser.add_argument('--count', type=int, default=3)
    parser.add_argument('--control')
    parser.add_argument('--inject-leak', action='store_true')
    args = parser.parse_args()

    conn = openstack.connect(cloud=args.cloud, region_name=args.region)
    provider = '%s-%s' % (args.cloud, args.region)
    image_name, min_ram, flavor_name = 'cirros-0.6.2-x86_64-disk', 512, 'm1'
    if args.inject_leak:
        leaked = {PROVIDER_KEY: provider, NODE_KEY: 'crashed-' + uuid.uuid4().hex[:6], LABEL_KEY: 'small'}
        conn.create_server('np-leaked', image=image_name, flavor=conn.get_flavor_by_ram(min_ram, include=flavor_name),
                           meta=leaked, auto_ip=False, wait=True)
        conn.create_floating_ip()
    cloud_requests(args.control, reset=True)
    started = time.monotonic()

    flavor = conn.get_flavor_by_ram(min_ram, include=flavor_name)
    image = conn.get_image(image_name)
    known = {}
    for _ in range(args.count):
        node_id = uuid.uuid4().hex[:12]
        meta = {PROVIDER_KEY: provider, NODE_KEY: node_id, LABEL_KEY: 'small'}
        server = conn.create_server('np-small-%s' % node_id, image=image, flavor=flavor, meta=meta, auto_ip=False,
                                    wait=False)
        known[node_id] = server
    print('launched %d nodes' % len(known))
    for node_id, server in known.items():
        # openstacksdk's wait: GET the server every couple of seconds until ACTIVE, then add a floating IP.
        known[node_id] = conn.wait_for_server(server, auto_ip=True, timeout=120)
    print('ready: %s' % ' '.join('%s=%s' % (n, s.public_v4 or '-') for n, s in known.items()))

    leaks = [s for s in conn.list_servers()
             if s.metadata.get(PROVIDER_KEY) == provider and s.metadata.get(NODE_KEY) not in known]
    for server in leaks:
        conn.delete_server(server.id, wait=False, delete_ips=True)
    fips = conn.delete_unattached_floating_ips()
    print('leaked: %d servers, %s floating IPs deleted' % (len(leaks), fips))
    for server in known.values():
        conn.delete_server(server.id, wait=True, delete_ips=True)
    print('deleted %d nodes in %.1fs' % (len(known), time.monotonic() - started))
    stats = cloud_requests(args.control)
    if stats is not None:
        print('cloud requests: %d' % stats['total'])
        print(json.dumps({'total': stats['total'], 'byService': stats['byService']}, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())
