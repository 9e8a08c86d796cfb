// The network write commands (network, subnet, router, port, security-group, security-group-rule, floating-ip)
// through a real node over a simulated cloud: what openstack CLI users type, with exit codes and error lines.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { openTarget, type ScenarioTarget } from '../../scenarios/target.ts';
import { runCli } from './run-cli.ts';

describe('oaktree CLI: network write commands', { timeout: 120_000 }, () => {
  let simulator: Simulator;
  let target: ScenarioTarget;
  let dir: string;
  let env: Record<string, string>;
  const where = ['--cloud', 'sim-cli-net', '--region', 'RegionOne'];
  const oaktree = async (args: string[], code = 0) => {
    const run = await runCli([...args, ...where], env);
    assert.equal(run.code, code, `oaktree ${args.join(' ')}: ${run.stderr}`);
    return run;
  };
  const json = async (args: string[]) => JSON.parse((await oaktree([...args, '-f', 'json'])).stdout);

  before(async () => {
    simulator = await startSimulator({ clouds: [{ name: 'sim-cli-net', regions: ['RegionOne'], bootDelayMs: 0 }] });
    dir = await mkdtemp(join(tmpdir(), 'oaktree-cli-net-'));
    await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
    target = await openTarget({
      label: 'cli',
      cloudsYaml: join(dir, 'clouds.yaml'),
      cloud: 'sim-cli-net',
      region: 'RegionOne',
      image: 'cirros-0.6.2-x86_64-disk',
      flavor: 'm1.tiny',
      network: 'private',
      externalNetwork: 'public',
    });
    env = { OAKTREE_ENDPOINT: target.node.address };
  });
  after(async () => {
    await target?.close();
    await simulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('network, subnet and router: create with a gateway and an interface, refuse a busy delete, take apart', async () => {
    const network = await json(['network', 'create', 'web', '--disable-port-security', '--mtu', '1400']);
    assert.equal(network.isPortSecurityEnabled ?? false, false, 'proto3 JSON leaves false out');
    assert.equal(network.mtu, 1400);
    const subnet = await json([
      'subnet',
      'create',
      'web-v4',
      '--network',
      'web',
      '--subnet-range',
      '10.50.0.0/24',
      '--dns-nameserver',
      '192.0.2.53',
      '--allocation-pool',
      'start=10.50.0.100,end=10.50.0.150',
    ]);
    assert.deepEqual(subnet.dnsNameservers, ['192.0.2.53']);
    assert.deepEqual(subnet.allocationPools, [{ start: '10.50.0.100', end: '10.50.0.150' }]);
    const changed = await json(['subnet', 'set', 'web-v4', '--no-dhcp', '--no-dns-nameservers']);
    assert.equal(changed.isDhcpEnabled ?? false, false);
    assert.equal(changed.dnsNameservers, undefined, 'proto3 JSON leaves an empty list out');

    const router = await json(['router', 'create', 'edge', '--external-gateway', 'public', '--subnet', 'web-v4']);
    assert.equal(router.interfaces.length, 1);
    assert.ok(router.externalGateway.networkId);
    const table = await oaktree(['router', 'list']);
    assert.match(table.stdout, /^CLOUD\s+REGION\s+NAME\s+STATUS\s+GATEWAY\s+INTERFACES\s+ID/);
    assert.match(table.stdout, /\bedge\s+ACTIVE\s+\S+\s+1\s/);
    const busy = await oaktree(['router', 'delete', 'edge'], 1);
    assert.match(busy.stderr, /FAILED_PRECONDITION/);
    assert.match(busy.stderr, /remove its interfaces first/);

    await oaktree(['router', 'remove', 'subnet', 'edge', 'web-v4']);
    const bare = await json(['router', 'unset', 'edge', '--external-gateway']);
    assert.equal(bare.externalGateway, undefined);
    assert.match(
      (await oaktree(['router', 'delete', 'edge'])).stdout,
      /^deleted router \S+ in sim-cli-net\/RegionOne$/m,
    );
    await oaktree(['network', 'delete', 'web']);
    const gone = await oaktree(['subnet', 'show', 'web-v4'], 1);
    assert.match(gone.stderr, /NOT_FOUND/);
  });

  it('security groups and rules, ports with fixed IPs, floating IPs by address, quotas', async () => {
    await json(['security-group', 'create', 'ssh', '--description', 'ssh in']);
    const rule = await json([
      'security-group-rule',
      'create',
      'ssh',
      '--protocol',
      'tcp',
      '--dst-port',
      '22',
      '--remote-ip',
      '0.0.0.0/0',
    ]);
    assert.equal(rule.portRangeMin, 22);
    const rules = await oaktree(['security-group-rule', 'list', 'ssh']);
    assert.match(rules.stdout, /\bssh\s+ingress\s+IPv4\s+tcp\s+22:22\s+0\.0\.0\.0\/0\s/);
    const twice = await oaktree(
      ['security-group-rule', 'create', 'ssh', '--protocol', 'tcp', '--dst-port', '22', '--remote-ip', '0.0.0.0/0'],
      1,
    );
    assert.match(twice.stderr, /ALREADY_EXISTS/);

    const subnet = (await json(['subnet', 'list'])).find((s: { name: string }) => s.name === 'private-subnet');
    const address = subnet.cidr.replace(/\.0\/\d+$/, '.77');
    const port = await json([
      'port',
      'create',
      'vip',
      '--network',
      'private',
      '--fixed-ip',
      `subnet=private-subnet,ip-address=${address}`,
      '--security-group',
      'ssh',
    ]);
    assert.deepEqual(port.fixedIps, [{ subnetId: subnet.id, ipAddress: address }]);
    const renamed = await json(['port', 'set', 'vip', '--name', 'vip2', '--no-security-group']);
    assert.equal(renamed.name, 'vip2');
    assert.equal(renamed.securityGroupIds, undefined);
    await oaktree(['port', 'delete', port.id]);
    await oaktree(['security-group', 'delete', 'ssh']);

    const fip = await json(['floating-ip', 'create', '--network', 'public']);
    const shown = await json(['floating-ip', 'show', fip.floatingIpAddress]);
    assert.equal(shown.id, fip.id);
    const described = await json(['floating-ip', 'set', fip.floatingIpAddress, '--description', 'for the vip']);
    assert.equal(described.description, 'for the vip');
    const listed = await json(['floating-ip', 'list', '--floating-ip-address', fip.floatingIpAddress]);
    assert.deepEqual(
      listed.map((f: { id: string }) => f.id),
      [fip.id],
    );
    await oaktree(['floating-ip', 'delete', fip.floatingIpAddress]);

    const quotas = await oaktree(['network', 'quota']);
    assert.match(quotas.stdout, /^sim-cli-net\s+RegionOne\s+network\s+100\s+1\s*$/m);
    assert.match(quotas.stdout, /^sim-cli-net\s+RegionOne\s+subnetpool\s+unlimited\s+0\s*$/m);
  });

  it('usage mistakes exit 2 without calling the node', async () => {
    const both = await oaktree(['network', 'set', 'private', '--enable', '--disable'], 2);
    assert.match(both.stderr, /--enable\/--disable: give one of them, not both/);
    const badPort = await oaktree(['security-group-rule', 'create', 'default', '--dst-port', '22-80'], 2);
    assert.match(badPort.stderr, /expected a port or a range like 8000:8080/);
  });
});
