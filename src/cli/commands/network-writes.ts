// oaktree network create|set|delete|show|quota, subnet ..., port create|set|show, floating-ip show|set: the
// network write commands in the openstack CLI's style.
import type { Command } from 'commander';
import { action, io, keyValue, repeatable, withCommonOptions } from './context.ts';
import { given, pairs, toggle } from './network-options.ts';
import { INT32_MAX, numberOption } from './numbers.ts';
import { quotaRows, quotaView, subnetView } from './network-views.ts';
import { byPlace, floatingIpView, networkView, portView } from './views.ts';

const fixedIp = pairs(['subnet', 'ip-address']);
const addressPair = pairs(['ip-address', 'mac-address']);
const pool = pairs(['start', 'end']);
const hostRoute = pairs(['destination', 'gateway']);

const toFixedIps = (list: Array<Record<string, string>>) =>
  list.map((f) => ({ subnet: f.subnet ?? '', ipAddress: f['ip-address'] ?? '' }));
const toPairs = (list: Array<Record<string, string>>) =>
  list.map((p) => ({ ipAddress: p['ip-address'] ?? '', macAddress: p['mac-address'] ?? '' }));
const toPools = (list: Array<Record<string, string>>) => list.map((p) => ({ start: p.start, end: p.end }));
const toRoutes = (list: Array<Record<string, string>>) =>
  list.map((r) => ({ destination: r.destination, nexthop: r.gateway }));

const deleted = (what: string, id: string, location?: { cloud: string; region: string }) =>
  io.stdout.write(`deleted ${what} ${id} in ${location?.cloud}/${location?.region}\n`);

function networkFlags(command: Command): Command {
  return command
    .option('--description <text>')
    .option('--mtu <bytes>', 'MTU', numberOption({ unit: 'bytes', min: 68, max: 65535 }))
    .option('--enable', 'administratively up')
    .option('--disable', 'administratively down')
    .option('--share', 'shared with every project (admin)')
    .option('--no-share', 'not shared')
    .option('--external', 'a source of floating IPs (admin)')
    .option('--internal', 'not external')
    .option('--enable-port-security', 'port security on for new ports')
    .option('--disable-port-security', 'port security off for new ports');
}

function networkSettings(opts: any) {
  return {
    ...given('description', opts.description),
    ...given('mtu', opts.mtu),
    ...given('isAdminStateUp', toggle(opts.enable, opts.disable, '--enable/--disable')),
    ...given('isShared', opts.share),
    ...given('isExternal', toggle(opts.external, opts.internal, '--external/--internal')),
    ...given(
      'isPortSecurityEnabled',
      toggle(opts.enablePortSecurity, opts.disablePortSecurity, '--enable-port-security/--disable-port-security'),
    ),
  };
}

export function addNetworkWriteCommands(network: Command): void {
  withCommonOptions(
    networkFlags(network.command('create').description('create a network in one cloud and region').argument('<name>')),
  )
    .option('--provider-network-type <type>', 'flat, vlan, vxlan ... (admin)')
    .option('--provider-physical-network <name>', '(admin)')
    .option('--provider-segment <id>', 'VLAN or tunnel id (admin)', numberOption({ min: 0, max: INT32_MAX }))
    .action(
      action(async (ctx, opts, name: string) => {
        const provider = opts.providerNetworkType
          ? {
              networkType: opts.providerNetworkType,
              physicalNetwork: opts.providerPhysicalNetwork ?? '',
              segmentationId: opts.providerSegment ?? 0,
            }
          : undefined;
        const settings = networkSettings(opts);
        const created = await ctx.client.createNetwork(ctx.selector, {
          name,
          ...settings,
          isShared: settings.isShared ?? false,
          isExternal: settings.isExternal ?? false,
          ...given('provider', provider),
        });
        ctx.printOne(created, networkView);
      }),
    );
  withCommonOptions(networkFlags(network.command('set').description('change a network').argument('<network>')))
    .option('--name <name>', 'a new name')
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        const changes = { ...given('name', opts.name), ...networkSettings(opts) };
        ctx.printOne(await ctx.client.updateNetwork(nameOrId, changes, ctx.selector), networkView);
      }),
    );
  withCommonOptions(network.command('show').description('show a network').argument('<network>')).action(
    action(async (ctx, _opts, nameOrId: string) =>
      ctx.printOne(await ctx.client.getNetwork(nameOrId, ctx.selector), networkView),
    ),
  );
  withCommonOptions(
    network.command('delete').description('delete networks (and their subnets)').argument('<network...>'),
  ).action(
    action(async (ctx, _opts, names: string[]) => {
      for (const nameOrId of names) {
        const gone = await ctx.client.deleteNetwork(nameOrId, ctx.selector);
        deleted('network', gone.id, gone.location);
      }
    }),
  );
  withCommonOptions(network.command('quota').description('network quotas and usage of the project')).action(
    action(async (ctx) => {
      const all = await ctx.client.listNetworkQuotas(ctx.selector, ctx.listOptions).toArray();
      ctx.printObjects(all.flatMap(quotaRows), quotaView);
    }),
  );
}

function subnetFlags(command: Command): Command {
  return command
    .option('--description <text>')
    .option('--gateway <ip|none>', 'the gateway address, or none')
    .option('--dhcp', 'DHCP on')
    .option('--no-dhcp', 'DHCP off')
    .option('--dns-nameserver <ip>', 'a DNS server (repeatable)', repeatable)
    .option('--allocation-pool <start=a,end=b>', 'an allocation pool', pool)
    .option('--host-route <destination=d,gateway=g>', 'a host route (repeatable)', hostRoute);
}

export function registerSubnetCommands(program: Command): void {
  const subnet = program.command('subnet').description('subnets');
  withCommonOptions(subnet.command('list').description('list subnets'))
    .option('--network <id>', 'only subnets of this network')
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listSubnets(ctx.selector, {
          ...ctx.listOptions,
          ...given('networkId', opts.network),
        });
        await ctx.printList(stream, subnetView, byPlace);
      }),
    );
  withCommonOptions(subnet.command('show').description('show a subnet').argument('<subnet>')).action(
    action(async (ctx, _opts, nameOrId: string) =>
      ctx.printOne(await ctx.client.getSubnet(nameOrId, ctx.selector), subnetView),
    ),
  );
  withCommonOptions(subnetFlags(subnet.command('create').description('create a subnet').argument('<name>')))
    .requiredOption('--network <network>', 'the network, by name or id')
    .option('--subnet-range <cidr>', 'the CIDR')
    .option('--ip-version <4|6>', 'IP version', numberOption({ only: [4, 6] }))
    .option('--ipv6-ra-mode <mode>', 'slaac, dhcpv6-stateful or dhcpv6-stateless')
    .option('--ipv6-address-mode <mode>', 'slaac, dhcpv6-stateful or dhcpv6-stateless')
    .option('--subnet-pool <pool>', 'take the CIDR from this subnet pool')
    .option('--prefix-length <n>', 'with --subnet-pool: the prefix length', numberOption({ min: 0, max: 128 }))
    .action(
      action(async (ctx, opts, name: string) => {
        const created = await ctx.client.createSubnet(ctx.selector, {
          name,
          network: opts.network,
          ...given('cidr', opts.subnetRange),
          ...given('ipVersion', opts.ipVersion),
          ...given('description', opts.description),
          ...(opts.gateway === 'none' ? { disableGateway: true } : given('gatewayIp', opts.gateway)),
          ...given('isDhcpEnabled', opts.dhcp),
          ...given('dnsNameservers', opts.dnsNameserver),
          ...given('allocationPools', opts.allocationPool && toPools(opts.allocationPool)),
          ...given('hostRoutes', opts.hostRoute && toRoutes(opts.hostRoute)),
          ...given('ipv6RaMode', opts.ipv6RaMode),
          ...given('ipv6AddressMode', opts.ipv6AddressMode),
          ...given('subnetPool', opts.subnetPool),
          ...given('prefixLength', opts.prefixLength),
        });
        ctx.printOne(created, subnetView);
      }),
    );
  withCommonOptions(subnetFlags(subnet.command('set').description('change a subnet').argument('<subnet>')))
    .option('--name <name>', 'a new name')
    .option('--no-dns-nameservers', 'remove every DNS server')
    .option('--no-host-route', 'remove every host route')
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        const changes = {
          ...given('name', opts.name),
          ...given('description', opts.description),
          ...(opts.gateway === 'none' ? { disableGateway: true } : given('gatewayIp', opts.gateway)),
          ...given('isDhcpEnabled', opts.dhcp),
          ...(opts.dnsNameservers === false ? { dnsNameservers: { values: [] } } : {}),
          ...given('dnsNameservers', opts.dnsNameserver && { values: opts.dnsNameserver }),
          ...(opts.hostRoute === false ? { hostRoutes: { routes: [] } } : {}),
          ...given('hostRoutes', Array.isArray(opts.hostRoute) ? { routes: toRoutes(opts.hostRoute) } : undefined),
          ...given('allocationPools', opts.allocationPool && { pools: toPools(opts.allocationPool) }),
        };
        ctx.printOne(await ctx.client.updateSubnet(nameOrId, changes, ctx.selector), subnetView);
      }),
    );
  withCommonOptions(subnet.command('delete').description('delete subnets').argument('<subnet...>')).action(
    action(async (ctx, _opts, names: string[]) => {
      for (const nameOrId of names) {
        const gone = await ctx.client.deleteSubnet(nameOrId, ctx.selector);
        deleted('subnet', gone.id, gone.location);
      }
    }),
  );
}

function portFlags(command: Command): Command {
  return command
    .option('--description <text>')
    .option('--fixed-ip <subnet=s,ip-address=a>', 'a fixed IP (repeatable)', fixedIp)
    .option('--security-group <group>', 'a security group, by name or id (repeatable)', repeatable)
    .option('--no-security-group', 'no security groups')
    .option('--allowed-address <ip-address=a,mac-address=m>', 'an allowed address pair (repeatable)', addressPair)
    .option('--enable-port-security', 'port security on')
    .option('--disable-port-security', 'port security off')
    .option('--enable', 'administratively up')
    .option('--disable', 'administratively down')
    .option('--device <id>', 'the device using it')
    .option('--device-owner <owner>', 'the kind of device')
    .option('--binding-profile <key=value>', 'binding:profile entry (admin, repeatable)', keyValue);
}

function portSettings(opts: any) {
  return {
    ...given('description', opts.description),
    ...given(
      'isPortSecurityEnabled',
      toggle(opts.enablePortSecurity, opts.disablePortSecurity, '--enable-port-security/--disable-port-security'),
    ),
    ...given('isAdminStateUp', toggle(opts.enable, opts.disable, '--enable/--disable')),
    ...given('deviceId', opts.device),
    ...given('deviceOwner', opts.deviceOwner),
    ...given('bindingProfile', opts.bindingProfile),
  };
}

export function addPortWriteCommands(port: Command): void {
  withCommonOptions(portFlags(port.command('create').description('create a port').argument('<name>')))
    .requiredOption('--network <network>', 'the network, by name or id')
    .option('--mac-address <mac>', 'a MAC address (admin)')
    .action(
      action(async (ctx, opts, name: string) => {
        const created = await ctx.client.createPort(ctx.selector, {
          name,
          network: opts.network,
          ...portSettings(opts),
          ...given('fixedIps', opts.fixedIp && toFixedIps(opts.fixedIp)),
          ...given('securityGroups', Array.isArray(opts.securityGroup) ? opts.securityGroup : undefined),
          ...given('allowedAddressPairs', opts.allowedAddress && toPairs(opts.allowedAddress)),
          ...given('macAddress', opts.macAddress),
        });
        ctx.printOne(created, portView);
      }),
    );
  withCommonOptions(portFlags(port.command('set').description('change a port').argument('<port>')))
    .option('--name <name>', 'a new name')
    .option('--no-allowed-address', 'remove every allowed address pair')
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        const changes = {
          ...given('name', opts.name),
          ...portSettings(opts),
          ...given('fixedIps', opts.fixedIp && { fixedIps: toFixedIps(opts.fixedIp) }),
          ...(opts.securityGroup === false ? { securityGroups: { values: [] } } : {}),
          ...given('securityGroups', Array.isArray(opts.securityGroup) ? { values: opts.securityGroup } : undefined),
          ...(opts.allowedAddress === false ? { allowedAddressPairs: { pairs: [] } } : {}),
          ...given(
            'allowedAddressPairs',
            Array.isArray(opts.allowedAddress) ? { pairs: toPairs(opts.allowedAddress) } : undefined,
          ),
        };
        ctx.printOne(await ctx.client.updatePort(nameOrId, changes, ctx.selector), portView);
      }),
    );
  withCommonOptions(port.command('show').description('show a port').argument('<port>')).action(
    action(async (ctx, _opts, nameOrId: string) =>
      ctx.printOne(await ctx.client.getPort(nameOrId, ctx.selector), portView),
    ),
  );
}

export function addFloatingIpWriteCommands(fip: Command): void {
  withCommonOptions(
    fip.command('show').description('show a floating IP by id or address').argument('<floating-ip>'),
  ).action(
    action(async (ctx, _opts, ip: string) =>
      ctx.printOne(await ctx.client.getFloatingIp(ip, ctx.selector), floatingIpView),
    ),
  );
  withCommonOptions(
    fip.command('set').description("change a floating IP's description or port").argument('<floating-ip>'),
  )
    .option('--description <text>')
    .option('--port <id>', 'attach it to this port')
    .option('--fixed-ip-address <ip>', "which of the port's addresses")
    .option('--no-port', 'detach it')
    .action(
      action(async (ctx, opts, ip: string) => {
        const changes = {
          ...given('description', opts.description),
          ...(opts.port === false ? { portId: '' } : given('portId', opts.port)),
          ...given('fixedAddress', opts.fixedIpAddress),
        };
        ctx.printOne(await ctx.client.updateFloatingIp(ip, changes, ctx.selector), floatingIpView);
      }),
    );
}
