// Neutron fidelity checks (issue 21): the same raw REST requests against the simulator (neutron-fidelity.test.ts)
// and the real cloud (test/real/neutron-fidelity.test.ts), each answer checked field by field against what the real
// Zed cloud answered. A divergence fails the simulator tier; a check that stops being true of the real cloud fails
// the real tier.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

export interface NeutronAnswer {
  status: number;
  body: any;
}

/** A member's Neutron session: requests under /v2.0, and the project the token is scoped to. */
export interface NeutronSession {
  call(method: string, path: string, body?: unknown): Promise<NeutronAnswer>;
  projectId: string;
}

/** Password auth against Keystone v3, then the network endpoint from the catalog. */
export async function neutronSession(
  authUrl: string,
  user: string,
  password: string,
  project: string,
): Promise<NeutronSession> {
  const domain = { id: 'default' };
  const res = await fetch(`${authUrl.replace(/\/$/, '')}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, domain, password } } },
        scope: { project: { name: project, domain } },
      },
    }),
  });
  assert.equal(res.status, 201, 'keystone accepts the credentials');
  const token = res.headers.get('x-subject-token') as string;
  const body = (await res.json()) as any;
  const network = body.token.catalog.find((s: any) => s.type === 'network');
  const base = `${network.endpoints.find((e: any) => e.interface === 'public').url.replace(/\/$/, '')}/v2.0`;
  return {
    projectId: body.token.project.id,
    async call(method, path, payload) {
      const answer = await fetch(`${base}${path}`, {
        method,
        headers: { 'x-auth-token': token, 'content-type': 'application/json' },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
      const text = await answer.text();
      return { status: answer.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}

// Key sets of each object as the real cloud (Zed, ML2, no agents) answers a member.
const KEYS = {
  network:
    'admin_state_up,availability_zone_hints,availability_zones,created_at,description,id,ipv4_address_scope,ipv6_address_scope,is_default,mtu,name,port_security_enabled,project_id,revision_number,router:external,shared,status,subnets,tags,tenant_id,updated_at',
  subnet:
    'allocation_pools,cidr,created_at,description,dns_nameservers,enable_dhcp,gateway_ip,host_routes,id,ip_version,ipv6_address_mode,ipv6_ra_mode,name,network_id,project_id,revision_number,service_types,subnetpool_id,tags,tenant_id,updated_at',
  port: 'admin_state_up,allowed_address_pairs,binding:vnic_type,created_at,description,device_id,device_owner,extra_dhcp_opts,fixed_ips,id,mac_address,name,network_id,port_security_enabled,project_id,revision_number,security_groups,status,tags,tenant_id,updated_at',
  router:
    'admin_state_up,availability_zone_hints,availability_zones,created_at,description,external_gateway_info,flavor_id,id,name,project_id,revision_number,routes,status,tags,tenant_id,updated_at',
  security_group:
    'created_at,description,id,name,project_id,revision_number,security_group_rules,shared,stateful,tags,tenant_id,updated_at',
  security_group_rule:
    'created_at,description,direction,ethertype,id,normalized_cidr,port_range_max,port_range_min,project_id,protocol,remote_address_group_id,remote_group_id,remote_ip_prefix,revision_number,security_group_id,tenant_id,updated_at',
  interface: 'id,network_id,port_id,subnet_id,subnet_ids,tenant_id',
  quota: 'floatingip,network,port,rbac_policy,router,security_group,security_group_rule,subnet,subnetpool',
};
const keysOf = (o: object) => Object.keys(o).sort().join(',');

/** Neutron's error: status and exception type. */
function refused(answer: NeutronAnswer, status: number, type: string) {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body?.NeutronError?.type, type);
}

export function defineNeutronFidelity(label: string, open: () => Promise<NeutronSession>) {
  describe(`neutron fidelity on ${label}`, { concurrency: false }, () => {
    let n: NeutronSession;
    const prefix = `s3-network-fid-${Date.now().toString(36)}`;
    const undo: Array<() => Promise<unknown>> = [];
    /** A /24 in 10.0.0.0/8 unlikely to meet another engineer's. */
    const cidr = `10.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}`;
    before(async () => {
      n = await open();
    });
    after(async () => {
      for (const step of undo.reverse()) await step().catch(() => undefined);
    });
    const created = async (path: string, kind: string, spec: object) => {
      const answer = await n.call('POST', path, { [kind]: spec });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      const object = answer.body[kind];
      undo.push(() => n.call('DELETE', `${path}/${object.id}`));
      return object;
    };

    test('networks: admin_state_up and port_security_enabled are kept, PUT changes them, ports inherit', async () => {
      const net = await created('/networks', 'network', {
        name: `${prefix}-net`,
        admin_state_up: false,
        port_security_enabled: false,
      });
      assert.equal(keysOf(net), KEYS.network);
      assert.equal(net.admin_state_up, false);
      assert.equal(net.port_security_enabled, false);
      const put = await n.call('PUT', `/networks/${net.id}`, { network: { admin_state_up: true, mtu: 1400 } });
      assert.equal(put.status, 200);
      assert.equal(put.body.network.admin_state_up, true);
      assert.equal(put.body.network.mtu, 1400);
      assert.equal(put.body.network.port_security_enabled, false);
      const port = await created('/ports', 'port', { network_id: net.id, name: `${prefix}-p` });
      assert.equal(keysOf(port), KEYS.port);
      assert.equal(port.port_security_enabled, false);
      assert.deepEqual(port.security_groups, []);
      const sg = await n.call('PUT', `/ports/${port.id}`, { port: { security_groups: [port.id] } });
      assert.equal(sg.status, 400);
      refused(sg, 400, 'PortSecurityAndIPRequiredForSecurityGroups');
    });

    test('subnets: dns_nameservers, host routes and pools kept; PUT; overlap, foreign subnet and in use refused', async () => {
      const net = await created('/networks', 'network', { name: `${prefix}-snet` });
      const subnet = await created('/subnets', 'subnet', {
        name: `${prefix}-s`,
        network_id: net.id,
        cidr: `${cidr}.0/24`,
        ip_version: 4,
        dns_nameservers: ['192.0.2.53'],
        host_routes: [{ destination: '192.0.2.0/24', nexthop: `${cidr}.5` }],
        allocation_pools: [{ start: `${cidr}.10`, end: `${cidr}.20` }],
      });
      assert.equal(keysOf(subnet), KEYS.subnet);
      assert.deepEqual(subnet.dns_nameservers, ['192.0.2.53']);
      assert.deepEqual(subnet.host_routes, [{ destination: '192.0.2.0/24', nexthop: `${cidr}.5` }]);
      assert.deepEqual(subnet.allocation_pools, [{ start: `${cidr}.10`, end: `${cidr}.20` }]);
      assert.equal(subnet.gateway_ip, `${cidr}.1`);
      const put = await n.call('PUT', `/subnets/${subnet.id}`, {
        subnet: { enable_dhcp: false, dns_nameservers: ['192.0.2.54'], name: `${prefix}-s2` },
      });
      assert.equal(put.status, 200);
      assert.equal(put.body.subnet.enable_dhcp, false);
      assert.deepEqual(put.body.subnet.dns_nameservers, ['192.0.2.54']);
      assert.equal(put.body.subnet.name, `${prefix}-s2`);

      const overlap = await n.call('POST', '/subnets', {
        subnet: { network_id: net.id, cidr: `${cidr}.128/25`, ip_version: 4 },
      });
      refused(overlap, 400, 'InvalidInput');
      assert.match(overlap.body.NeutronError.message, /overlaps with another subnet/);
      const privateSubnet = (await n.call('GET', '/subnets?name=private-subnet')).body.subnets[0];
      const foreign = await n.call('POST', '/ports', {
        port: { network_id: net.id, fixed_ips: [{ subnet_id: privateSubnet.id }] },
      });
      refused(foreign, 400, 'InvalidInput');
      assert.match(foreign.body.NeutronError.message, /fixed_ips included invalid subnet/);

      const port = await created('/ports', 'port', {
        network_id: net.id,
        fixed_ips: [{ subnet_id: subnet.id, ip_address: `${cidr}.15` }],
      });
      assert.deepEqual(port.fixed_ips, [{ subnet_id: subnet.id, ip_address: `${cidr}.15` }]);
      const taken = await n.call('POST', '/ports', {
        port: { network_id: net.id, fixed_ips: [{ subnet_id: subnet.id, ip_address: `${cidr}.15` }] },
      });
      refused(taken, 409, 'IpAddressAlreadyAllocated');
      refused(await n.call('DELETE', `/subnets/${subnet.id}`), 409, 'SubnetInUse');
      const netInUse = await n.call('DELETE', `/networks/${net.id}`);
      refused(netInUse, 409, 'NetworkInUse');
      assert.match(netInUse.body.NeutronError.message, new RegExp(port.id));
    });

    test('routers: create with a gateway, interfaces, in use, gateway removal, delete; SNAT is admin-only', async () => {
      const pub = (await n.call('GET', '/networks?name=public')).body.networks[0];
      const snat = await n.call('POST', '/routers', {
        router: { name: `${prefix}-snat`, external_gateway_info: { network_id: pub.id, enable_snat: false } },
      });
      refused(snat, 403, 'PolicyNotAuthorized');
      const router = await created('/routers', 'router', {
        name: `${prefix}-r`,
        external_gateway_info: { network_id: pub.id },
      });
      assert.equal(keysOf(router), KEYS.router);
      assert.equal(router.status, 'ACTIVE');
      assert.equal(router.external_gateway_info.network_id, pub.id);
      assert.equal(router.external_gateway_info.enable_snat, true);
      assert.equal(router.external_gateway_info.external_fixed_ips.length, 1);

      const net = await created('/networks', 'network', { name: `${prefix}-rnet` });
      const subnet = await created('/subnets', 'subnet', {
        network_id: net.id,
        cidr: `${cidr}.0/24`,
        ip_version: 4,
      });
      const added = await n.call('PUT', `/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
      assert.equal(added.status, 200);
      assert.equal(keysOf(added.body), KEYS.interface);
      undo.push(() => n.call('PUT', `/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id }));
      const [port] = (await n.call('GET', `/ports?device_id=${router.id}`)).body.ports;
      assert.equal(port.device_owner, 'network:router_interface');
      assert.deepEqual(port.fixed_ips, [{ subnet_id: subnet.id, ip_address: `${cidr}.1` }]);
      refused(
        await n.call('PUT', `/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id }),
        400,
        'BadRequest',
      );
      refused(await n.call('DELETE', `/routers/${router.id}`), 409, 'RouterInUse');
      refused(
        await n.call('PUT', `/routers/${router.id}/remove_router_interface`, {
          port_id: '00000000-0000-0000-0000-000000000000',
        }),
        404,
        'RouterInterfaceNotFound',
      );
      const removed = await n.call('PUT', `/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id });
      assert.equal(removed.status, 200);
      const cleared = await n.call('PUT', `/routers/${router.id}`, { router: { external_gateway_info: {} } });
      assert.equal(cleared.status, 200);
      assert.equal(cleared.body.router.external_gateway_info, null);
      assert.equal((await n.call('DELETE', `/routers/${router.id}`)).status, 204);
    });

    test('security groups: rule keys, duplicate rule, unknown remote group, in use, PUT', async () => {
      const group = await created('/security-groups', 'security_group', { name: `${prefix}-sg` });
      assert.equal(keysOf(group), KEYS.security_group);
      const spec = {
        security_group_id: group.id,
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: 22,
        port_range_max: 22,
      };
      const rule = await n.call('POST', '/security-group-rules', { security_group_rule: spec });
      assert.equal(rule.status, 201);
      assert.equal(keysOf(rule.body.security_group_rule), KEYS.security_group_rule);
      const again = await n.call('POST', '/security-group-rules', { security_group_rule: spec });
      refused(again, 409, 'SecurityGroupRuleExists');
      assert.match(again.body.NeutronError.message, new RegExp(rule.body.security_group_rule.id));
      const unknown = await n.call('POST', '/security-group-rules', {
        security_group_rule: { ...spec, remote_group_id: '11111111-2222-3333-4444-555555555555' },
      });
      refused(unknown, 404, 'SecurityGroupNotFound');
      assert.equal(
        unknown.body.NeutronError.message,
        'Security group 11111111-2222-3333-4444-555555555555 does not exist',
      );
      const put = await n.call('PUT', `/security-groups/${group.id}`, { security_group: { description: 'changed' } });
      assert.equal(put.body.security_group.description, 'changed');
      const privateNet = (await n.call('GET', '/networks?name=private')).body.networks[0];
      await created('/ports', 'port', { network_id: privateNet.id, security_groups: [group.id] });
      refused(await n.call('DELETE', `/security-groups/${group.id}`), 409, 'SecurityGroupInUse');
    });

    test('members may not choose a floating IP address, a gateway address, or share a network', async () => {
      const pub = (await n.call('GET', '/networks?name=public')).body.networks[0];
      const address = await n.call('POST', '/floatingips', {
        floatingip: { floating_network_id: pub.id, floating_ip_address: '172.24.4.251' },
      });
      refused(address, 403, 'PolicyNotAuthorized');
      assert.match(address.body.NeutronError.message, /create_floatingip:floating_ip_address/);
      const gateway = await n.call('POST', '/routers', {
        router: {
          name: `${prefix}-fixed`,
          external_gateway_info: { network_id: pub.id, external_fixed_ips: [{ ip_address: '172.24.4.252' }] },
        },
      });
      refused(gateway, 403, 'PolicyNotAuthorized');
      assert.match(gateway.body.NeutronError.message, /external_gateway_info:external_fixed_ips/);
      const share = await n.call('PUT', `/networks/${pub.id}`, { network: { shared: true } });
      refused(share, 403, 'PolicyNotAuthorized');
      assert.match(share.body.NeutronError.message, /update_network:shared/);
    });

    test('tags: the sub-resource on networks', async () => {
      const net = await created('/networks', 'network', { name: `${prefix}-tags` });
      const one = await n.call('PUT', `/networks/${net.id}/tags/blue`);
      assert.equal(one.status, 201);
      assert.deepEqual((await n.call('GET', `/networks/${net.id}/tags`)).body, { tags: ['blue'] });
      const all = await n.call('PUT', `/networks/${net.id}/tags`, { tags: ['a', 'b'] });
      assert.deepEqual([all.status, all.body], [200, { tags: ['a', 'b'] }]);
      assert.equal((await n.call('DELETE', `/networks/${net.id}/tags/a`)).status, 204);
      assert.equal((await n.call('GET', `/networks/${net.id}/tags/b`)).status, 204);
      refused(await n.call('GET', `/networks/${net.id}/tags/zz`), 404, 'TagNotFound');
      const shown = (await n.call('GET', `/networks?tags=b&name=${prefix}-tags`)).body.networks;
      assert.deepEqual(
        shown.map((x: any) => [x.id, x.tags]),
        [[net.id, ['b']]],
      );
      const named = `name=${prefix}-tags`;
      assert.equal((await n.call('GET', `/networks?tags=b,c&${named}`)).body.networks.length, 0, 'all of');
      assert.equal((await n.call('GET', `/networks?tags-any=b,c&${named}`)).body.networks.length, 1, 'any of');
      assert.equal((await n.call('GET', `/networks?not-tags-any=b&${named}`)).body.networks.length, 0);
    });

    test('quotas: own project with details, another project and the listing refused', async () => {
      const own = await n.call('GET', `/quotas/${n.projectId}`);
      assert.equal(own.status, 200);
      assert.equal(keysOf(own.body.quota), KEYS.quota);
      const details = await n.call('GET', `/quotas/${n.projectId}/details.json`);
      assert.equal(keysOf(details.body.quota), KEYS.quota);
      assert.equal(keysOf(details.body.quota.network), 'limit,reserved,used');
      assert.ok(details.body.quota.network.used >= 1);
      refused(await n.call('GET', '/quotas/00000000000000000000000000000000'), 403, 'PolicyNotAuthorized');
      refused(await n.call('GET', '/quotas'), 403, 'PolicyNotAuthorized');
    });

    test('extensions have names of their own; availability zones match what networks report', async () => {
      const { extensions } = (await n.call('GET', '/extensions')).body;
      const byAlias = new Map(extensions.map((e: any) => [e.alias, e.name]));
      assert.equal(byAlias.get('router'), 'Neutron L3 Router');
      assert.equal(byAlias.get('quotas'), 'Quota management support');
      assert.equal(byAlias.get('external-net'), 'Neutron external network');
      for (const alias of ['standard-attr-tag', 'quota_details', 'port-security', 'allowed-address-pairs'])
        assert.ok(byAlias.has(alias), alias);
      const zones = (await n.call('GET', '/availability_zones')).body.availability_zones;
      const reported = new Set(
        (await n.call('GET', '/networks')).body.networks.flatMap((x: any) => x.availability_zones),
      );
      assert.deepEqual([...new Set(zones.map((z: any) => z.name))].sort(), [...reported].sort());
    });

    test("the public network's subnet is listed on it but hidden from a member", async () => {
      const pub = (await n.call('GET', '/networks?name=public')).body.networks[0];
      assert.equal(pub.subnets.length, 1);
      refused(await n.call('GET', `/subnets/${pub.subnets[0]}`), 404, 'SubnetNotFound');
      const listed = (await n.call('GET', '/subnets')).body.subnets.map((s: any) => s.id);
      assert.equal(listed.includes(pub.subnets[0]), false);
    });
  });
}
