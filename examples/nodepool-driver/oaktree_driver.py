#!/usr/bin/python3
"""A nodepool-shaped driver on oaktree: launch N nodes of a label, wait for them with one watch, find and clean
leaked servers and floating IPs by metadata, delete the nodes.

Shaped like nodepool's OpenStack driver (a provider is one cloud and region; a label names a flavor by minimum RAM
and name, an image by name, a network and a key; every server carries nodepool's metadata), but every cloud call
goes through one oaktree node, which caches lists and pushes server changes instead of being polled.

    PYTHONPATH=<oaktree package> /usr/bin/python3 examples/nodepool-driver/oaktree_driver.py \
        --endpoint 127.0.0.1:50051 --cloud sim-beta --count 3 [--control http://127.0.0.1:PORT] [--inject-leak]

With --control (the simulator's control URL) it prints how many requests the clouds received during the flow.
"""
import argparse
import json
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import oaktree

PROVIDER_KEY = 'nodepool_provider_name'
NODE_KEY = 'nodepool_node_id'
LABEL_KEY = 'nodepool_node_label'


@dataclass
class Label:
    name: str
    min_ram: int
    flavor_name: str
    image: str
    network: str = ''
    key_name: str = ''


@dataclass
class Node:
    id: str
    label: str
    server_id: str = ''
    state: str = 'building'
    address: str = ''


@dataclass
class Provider:
    """One cloud and region, as a nodepool provider is; `nodes` is what the launcher knows it owns."""
    name: str
    cloud: str
    region: str
    conn: oaktree.Connection
    nodes: Dict[str, Node] = field(default_factory=dict)
    needs_floating_ip: bool = False

    def start(self) -> None:
        """What the provider learns once when it starts: whether its servers need a floating IP to be reached."""
        self.needs_floating_ip = any(c.network.floating_ip_required_for_public_access
                                     for c in self.conn.get_capabilities(strict=True, **self.where))

    @property
    def where(self) -> Dict[str, str]:
        return {'cloud': self.cloud, 'region': self.region}

    def pick_flavor(self, label: Label) -> oaktree.Resource:
        """nodepool's rule: the smallest flavor with at least min_ram whose name contains flavor_name."""
        flavors = [f for f in self.conn.list_flavors(min_ram=label.min_ram, strict=True, **self.where)
                   if label.flavor_name in f.name and not f.is_disabled]
        if not flavors:
            raise SystemExit('no flavor with %d MiB and "%s" in %s' % (label.min_ram, label.flavor_name, self.name))
        return min(flavors, key=lambda f: (f.ram_mb, f.vcpus, f.name))

    def launch(self, label: Label, count: int) -> List[Node]:
        flavor = self.pick_flavor(label)
        launched = []
        for _ in range(count):
            node = Node(id=uuid.uuid4().hex[:12], label=label.name)
            meta = {PROVIDER_KEY: self.name, NODE_KEY: node.id, LABEL_KEY: label.name}
            # Not waiting here: the launcher waits for all of them at once with one watch.
            server = self.conn.create_server('np-%s-%s' % (label.name, node.id), image=label.image, flavor=flavor.id,
                                             network=label.network or None, key_name=label.key_name, meta=meta,
                                             auto_ip=False, wait=False, request_id=node.id, **self.where)
            node.server_id = server.id
            self.nodes[node.id] = node
            launched.append(node)
        return launched

    def wait_ready(self, nodes: List[Node], timeout: float = 120) -> None:
        """One WatchServers stream for all of them; each node is ready when ACTIVE (and reachable)."""
        waiting = {node.server_id: node for node in nodes}
        deadline = time.monotonic() + timeout
        for event in self.conn.watch_servers(server_ids=list(waiting), timeout=timeout, **self.where):
            if event.type in ('CHECKPOINT',) or event.server.id not in waiting:
                continue
            status = event.server.status
            if status == 'ERROR':
                raise SystemExit('node %s failed to boot' % waiting[event.server.id].id)
            if status == 'ACTIVE':
                waiting.pop(event.server.id).state = 'booted'
            if not waiting or time.monotonic() > deadline:
                break
        if waiting:
            raise SystemExit('%d nodes not ACTIVE within %ss' % (len(waiting), timeout))
        for node in nodes:
            if self.needs_floating_ip:
                node.address = self.conn.create_floating_ip(server=node.server_id, request_id='fip-' + node.id,
                                                            **self.where).floating_ip_address
            node.state = 'ready'

    def cleanup_leaks(self) -> Dict[str, int]:
        """Servers carrying this provider's metadata but no node the launcher knows, and floating IPs no port uses."""
        leaked = [s for s in self.conn.list_servers(filters={'metadata': {PROVIDER_KEY: self.name}}, strict=True,
                                                    **self.where)
                  if s.metadata.get(NODE_KEY) not in self.nodes]
        for server in leaked:
            self.conn.delete_server(server.id, wait=False, delete_ips=True, **self.where)
        return {'servers': len(leaked), 'floating_ips': self.conn.delete_unattached_floating_ips(**self.where)}

    def delete(self, nodes: List[Node], timeout: float = 120) -> None:
        """Deletes them all, then waits for them all with one watch (the nodes are forgotten once DELETED)."""
        gone = {node.server_id: node for node in nodes}
        for node in nodes:
            self.conn.delete_server(node.server_id, wait=False, delete_ips=True, **self.where)
        existing = set()
        for event in self.conn.watch_servers(server_ids=list(gone), timeout=timeout, **self.where):
            if event.type == 'EXISTING':
                existing.add(event.server.id)
            elif event.type == 'CHECKPOINT':  # the initial state is complete: what it lacked is already gone
                for server_id in [i for i in gone if i not in existing]:
                    del self.nodes[gone.pop(server_id).id]
            elif event.type == 'DELETED' and event.server.id in gone:
                del self.nodes[gone.pop(event.server.id).id]
            if not gone:
                break
        if gone:
            raise SystemExit('%d nodes still not deleted after %ss' % (len(gone), timeout))


def cloud_requests(control: Optional[str], reset: bool = False) -> Optional[dict]:
    """The simulator's request counters (GET /stats), or None without a control URL."""
    if not control:
        return None
    request = urllib.request.Request(control + ('/stats/reset' if reset else '/stats'), method='POST' if reset else 'GET')
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


def inject_leak(provider: Provider, label: Label) -> None:
    """What a crashed launcher leaves: a server with our metadata for a node nobody knows, and a spare floating IP."""
    meta = {PROVIDER_KEY: provider.name, NODE_KEY: 'crashed-' + uuid.uuid4().hex[:6], LABEL_KEY: label.name}
    provider.conn.create_server('np-leaked', image=label.image, flavor=provider.pick_flavor(label).id, meta=meta,
                                auto_ip=False, wait=True, **provider.where)
    provider.conn.create_floating_ip(**provider.where)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--endpoint', default='127.0.0.1:50051')
    parser.add_argument('--cloud', required=True)
    parser.add_argument('--region', default='RegionOne')
    parser.add_argument('--count', type=int, default=3)
    parser.add_argument('--control', help="the simulator's control URL, to count the clouds' requests")
    parser.add_argument('--inject-leak', action='store_true', help='first leave a leaked server and floating IP')
    args = parser.parse_args()

    label = Label(name='small', min_ram=512, flavor_name='m1', image='cirros-0.6.2-x86_64-disk')
    with oaktree.connect(args.endpoint, timeout=120) as conn:
        provider = Provider(name='%s-%s' % (args.cloud, args.region), cloud=args.cloud, region=args.region, conn=conn)
        provider.start()
        if args.inject_leak:
            inject_leak(provider, label)
        cloud_requests(args.control, reset=True)
        started = time.monotonic()
        nodes = provider.launch(label, args.count)
        print('launched %d nodes of label %s: %s' % (len(nodes), label.name, ' '.join(n.id for n in nodes)))
        provider.wait_ready(nodes)
        print('ready: %s' % ' '.join('%s=%s' % (n.id, n.address or '-') for n in nodes))
        leaks = provider.cleanup_leaks()
        print('leaked: %d servers, %d floating IPs deleted' % (leaks['servers'], leaks['floating_ips']))
        provider.delete(nodes)
        print('deleted %d nodes in %.1fs' % (len(nodes), time.monotonic() - started))
        stats = cloud_requests(args.control)
        if stats is not None:
            print('cloud requests: %d' % stats['total'])
            print(json.dumps({'total': stats['total'], 'byService': stats['byService']}, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())
