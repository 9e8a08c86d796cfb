"""Inventory source: every server an oaktree node reaches, grouped like openstack.cloud.openstack's inventory."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: oaktree
short_description: Servers of every cloud an oaktree node reaches
description:
  - One ListServers call to an oaktree node returns the servers of every cloud, region and project it serves,
    each with its location. Hosts are grouped by cloud, region, zone, project, flavor, image and metadata, the
    way the openstack.cloud.openstack inventory plugin groups them, and by server tag (C(tag-<tag>)), which that
    plugin does not do.
  - A location that fails is reported as a warning and the others still make the inventory, unless
    I(fail_on_errors) is true.
  - Needs the oaktree Python package (clients/python in the oaktree repository).
extends_documentation_fragment:
  - constructed
options:
  plugin:
    description: Marks this file as an oaktree inventory source.
    required: true
    choices: ['oaktree.cloud.oaktree', 'oaktree']
  endpoint:
    description: The oaktree node, HOST[:PORT] (the port defaults to 50051).
    type: str
    default: 127.0.0.1:50051
    env:
      - name: OAKTREE_ENDPOINT
  token:
    description: Bearer token for the node.
    type: str
    env:
      - name: OAKTREE_TOKEN
  ca:
    description: PEM file of the CA that signed the node's certificate; turns on TLS.
    type: path
    env:
      - name: OAKTREE_CA
  cert:
    description: Client certificate (PEM) for mTLS.
    type: path
    env:
      - name: OAKTREE_CERT
  key:
    description: The key of I(cert).
    type: path
    env:
      - name: OAKTREE_KEY
  server_name:
    description: The name in the node's certificate, when it is not the endpoint's host.
    type: str
    env:
      - name: OAKTREE_SERVER_NAME
  only_clouds:
    description: Only servers of these clouds (default every cloud the node reaches).
    type: list
    elements: str
    default: []
  fail_on_errors:
    description: Fail when any location fails, instead of warning and building the inventory from the others.
    type: bool
    default: false
  private:
    description: Use the server's private address as ansible_host instead of the one it is reached at.
    type: bool
    default: false
  fresh:
    description: Ask the clouds rather than the node's short-lived cache.
    type: bool
    default: false
  timeout:
    description: Seconds to wait for the node.
    type: int
    default: 60
'''

EXAMPLES = r'''
plugin: oaktree.cloud.oaktree
endpoint: oaktree.example.org:50051
only_clouds: [prod-east, prod-west]
keyed_groups:
  - key: openstack.status
    prefix: status
'''

import re
import warnings

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable

try:
    import oaktree
    HAS_OAKTREE = True
except ImportError:
    HAS_OAKTREE = False


def _group_name(text):
    """Ansible group names: letters, digits and underscores (and the dashes openstack's groups use)."""
    return re.sub(r'[^A-Za-z0-9_-]', '_', text)


class InventoryModule(BaseInventoryPlugin, Constructable):
    NAME = 'oaktree.cloud.oaktree'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(
            ('oaktree.yml', 'oaktree.yaml', 'oaktree_inventory.yml', 'oaktree_inventory.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        if not HAS_OAKTREE:
            raise AnsibleError('the oaktree inventory needs the oaktree Python package (pip install ./clients/python)')
        self._read_config_data(path)
        servers, errors = self._servers()
        for error in errors:
            message = 'oaktree: %s' % error
            if self.get_option('fail_on_errors'):
                raise AnsibleError(message)
            self.display.warning(message)
        self._populate(servers)

    def _servers(self):
        options = dict(token=self.get_option('token'), ca=self.get_option('ca'), cert=self.get_option('cert'),
                       key=self.get_option('key'), server_name=self.get_option('server_name'),
                       fresh=self.get_option('fresh'), timeout=self.get_option('timeout'))
        only = self.get_option('only_clouds') or [None]
        servers, errors = [], []
        try:
            with oaktree.connect(self.get_option('endpoint'), **options) as conn:
                for cloud in only:  # one call for every cloud unless only_clouds narrows it
                    with warnings.catch_warnings():
                        warnings.simplefilter('ignore', oaktree.PartialResultsWarning)
                        servers.extend(conn.list_servers(cloud=cloud))
                    errors.extend(conn.last_errors)
        except oaktree.OaktreeError as error:
            raise AnsibleError('oaktree: cannot list servers from %s: %s' % (self.get_option('endpoint'), error))
        return servers, errors

    def _populate(self, servers):
        counts = {}
        for server in servers:
            counts[server.name] = counts.get(server.name, 0) + 1
        for server in servers:
            host = server.name if server.name and counts[server.name] == 1 else server.id
            self.inventory.add_host(host)
            address = server.private_v4 if self.get_option('private') else server.interface_ip
            if address:
                self.inventory.set_variable(host, 'ansible_host', address)
            self.inventory.set_variable(host, 'openstack', dict(server))
            self.inventory.set_variable(host, 'oaktree_location', dict(server.location))
            for group in self._groups(server):
                self.inventory.add_group(group)
                self.inventory.add_child(group, host)
            variables = self.inventory.get_host(host).get_vars()
            strict = self.get_option('strict')
            self._set_composite_vars(self.get_option('compose'), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, host, strict=strict)

    @staticmethod
    def _groups(server):
        """openstack.cloud.openstack's legacy groups, plus the project and the server's tags."""
        where = server.location
        cloud, region, zone = where.cloud, where.region, where.zone
        groups = [cloud, region, '%s_%s' % (cloud, region), 'instance-%s' % server.id]
        if zone:
            groups += [zone, '%s_%s' % (region, zone), '%s_%s_%s' % (cloud, region, zone)]
        if where.get('project') and where.project.name:
            groups.append('project_%s' % where.project.name)
        if server.flavor and server.flavor.name:
            groups.append('flavor-%s' % server.flavor.name)
        if server.image and (server.image.name or server.image.id):
            groups.append('image-%s' % (server.image.name or server.image.id))
        metadata = server.metadata or {}
        for key, value in metadata.items():
            groups.append('meta-%s_%s' % (key, value))
        if metadata.get('group'):
            groups.append(metadata['group'])
        groups += [g.strip() for g in metadata.get('groups', '').split(',') if g.strip()]
        # Tags are their own field (Server.tags), not metadata; named like flavor- and image- groups.
        groups += ['tag-%s' % tag for tag in server.tags or []]
        return [_group_name(g) for g in groups if g]
