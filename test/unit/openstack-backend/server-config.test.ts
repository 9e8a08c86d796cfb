// Pure parts of issue 14 part 2: server group bodies and views per microversion, flavor orders, the edge rules for
// tags, nics, block devices and boot sources, and what capabilities derive from a microversion.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Status } from 'nice-grpc-common';
import { withoutSecret } from '../../../src/backends/openstack/compute/create-server-options.ts';
import { flavorOrder, nameContains } from '../../../src/backends/openstack/compute/flavor-order.ts';
import { OaktreeError } from '../../../src/core/errors.ts';
import { serverConfigCapabilities } from '../../../src/backends/openstack/compute/server-config-capabilities.ts';
import {
  normalizeServerGroup,
  serverGroupBody,
  serverGroupPolicies,
} from '../../../src/backends/openstack/compute/server-groups.ts';
import { Methods } from '../../../src/core/methods.ts';
import {
  CreateServerGroupRequest,
  CreateServerRequest,
  Flavor,
  FlavorSort,
  ListFlavorsRequest,
  ListServersRequest,
  ServerGroupPolicy,
  SetServerTagsRequest,
} from '../../../src/gen/oaktree/v1/compute.ts';

const route = { cloud: 'c', region: 'r', zone: '', project: { id: 'p', name: 'demo', domainId: '', domainName: '' } };
const problem = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return '';
};

test('server group bodies: policies list before 2.64, policy and rules from 2.64, soft policies from 2.15', () => {
  const anti = CreateServerGroupRequest.fromPartial({
    name: 'g',
    policy: ServerGroupPolicy.SERVER_GROUP_POLICY_ANTI_AFFINITY,
    maxServerPerHost: 2,
  });
  assert.deepEqual(serverGroupBody(anti, '2.64', 'c/r'), {
    server_group: { name: 'g', policy: 'anti-affinity', rules: { max_server_per_host: 2 } },
  });
  assert.match(
    problem(() => serverGroupBody(anti, '2.63', 'c/r')),
    /c\/r speaks compute microversion 2\.63; max_server_per_host needs 2\.64/,
  );
  const plain = { ...anti, maxServerPerHost: 0 };
  assert.deepEqual(serverGroupBody(plain, '2.1', 'c/r'), { server_group: { name: 'g', policies: ['anti-affinity'] } });
  const soft = { ...plain, policy: ServerGroupPolicy.SERVER_GROUP_POLICY_SOFT_AFFINITY };
  assert.match(
    problem(() => serverGroupBody(soft, '2.14', 'c/r')),
    /soft-affinity policy needs 2\.15/,
  );
  assert.deepEqual(serverGroupPolicies('2.14'), ['affinity', 'anti-affinity']);
});

test('server group views: both nova shapes normalize alike; another project shows in the location', () => {
  const old = normalizeServerGroup(
    { id: 'i', name: 'g', policies: ['affinity'], members: ['s1'], metadata: {} },
    route,
  );
  const now = normalizeServerGroup(
    { id: 'i', name: 'g', policy: 'affinity', rules: {}, members: ['s1'], project_id: 'p', user_id: 'u' },
    route,
  );
  assert.equal(old.policy, ServerGroupPolicy.SERVER_GROUP_POLICY_AFFINITY);
  assert.deepEqual({ ...old, properties: {} }, { ...now, properties: {} });
  assert.equal(now.properties.user_id, 'u');
  const foreign = normalizeServerGroup({ id: 'i', name: 'g', policy: 'affinity', project_id: 'other' }, route);
  assert.equal(foreign.location?.project?.id, 'other');
});

test('flavor order: by the key, then name and id; descending reverses; name filter ignores case', () => {
  const f = (name: string, ramMb: number, vcpus: number) => Flavor.fromPartial({ name, id: name, ramMb, vcpus });
  const flavors = [f('b', 512, 2), f('a', 512, 1), f('c', 256, 4)];
  const byRam = flavorOrder(ListFlavorsRequest.fromPartial({ sortBy: FlavorSort.FLAVOR_SORT_RAM }))!;
  assert.deepEqual(
    [...flavors].sort(byRam).map((x) => x.name),
    ['c', 'a', 'b'],
  );
  const down = flavorOrder(
    ListFlavorsRequest.fromPartial({ sortBy: FlavorSort.FLAVOR_SORT_VCPUS, sortDescending: true }),
  )!;
  assert.deepEqual(
    [...flavors].sort(down).map((x) => x.name),
    ['c', 'b', 'a'],
  );
  assert.equal(flavorOrder(ListFlavorsRequest.fromPartial({})), undefined, 'no sort keeps the cloud order');
  assert.equal(nameContains(ListFlavorsRequest.fromPartial({ nameContains: 'NaNo' }))('m1.nano'), true);
});

test('edge rules: tags, nics, block devices, boot sources and list filters, each naming the field', () => {
  const tags = (t: string[]) => () =>
    Methods.setServerTags.validate(SetServerTagsRequest.fromPartial({ nameOrId: 's', tags: t }));
  assert.match(problem(tags(['ok', 'a/b'])), /^tags\[1\] is not a valid tag: 1 to 60 characters, without "\/" or ","$/);
  assert.match(problem(tags(['x'.repeat(61)])), /tags\[0\] is not a valid tag/);
  assert.match(
    problem(tags(Array.from({ length: 51 }, (_, i) => `t${i}`))),
    /has 51 tags; a server carries at most 50/,
  );
  assert.equal(problem(tags(['fine'])), '');

  const create = (fields: Partial<CreateServerRequest>) => () =>
    Methods.createServer.validate(CreateServerRequest.fromPartial({ name: 'n', flavor: 'f', image: 'i', ...fields }));
  assert.match(
    problem(create({ nics: [{ port: 'p', network: 'n', fixedIp: '' }] })),
    /nics\[0\] needs either a port, or a network/,
  );
  assert.match(problem(create({ nics: [{ port: '', network: '', fixedIp: '10.0.0.5' }] })), /nics\[0\]/);
  assert.equal(problem(create({ nics: [{ port: '', network: 'n', fixedIp: '10.0.0.5' }] })), '');
  assert.match(
    problem(create({ blockDevices: [{ volume: '', sizeGb: 0, deleteOnTermination: false }] })),
    /block_devices\[0\] needs either a volume/,
  );
  assert.match(problem(create({ bootVolume: 'v' })), /image, boot_volume and boot_snapshot_id exclude each other/);
  assert.equal(problem(create({ image: '', bootVolume: 'v' })), '');

  const list = (fields: Partial<ListServersRequest>) => () =>
    Methods.listServers.validate(ListServersRequest.fromPartial(fields));
  assert.match(problem(list({ nameRegex: '(' })), /^name_regex is not a valid regular expression \(RE2 syntax/);
  // Valid JavaScript, but lookaround is not RE2: refused at the edge rather than failing at a cloud.
  assert.match(problem(list({ nameRegex: '^(?=web)' })), /^name_regex is not a valid regular expression/);
  assert.match(problem(list({ nameRegex: 'a'.repeat(256) })), /name_regex .*255/);
  assert.equal(problem(list({ nameRegex: 'web-[[:digit:]]+' })), '');
  assert.match(problem(list({ metadata: { '': 'x' } })), /metadata has an empty key/);
  assert.match(problem(list({ tagsAny: ['a,b'] })), /tags_any\[0\]/);
});

test('capabilities from the microversion: what 2.79 with a 2.93 cloud offers, and what 2.14 does not', () => {
  const limits = { location: undefined, compute: { maxMetadataItems: 128 } as any, volume: undefined, properties: {} };
  const zed = serverConfigCapabilities('2.79', '2.93', limits);
  assert.equal(zed.hostnameAtCreate, true, 'asked for per call at 2.90');
  assert.equal(zed.tagsAtCreate, true);
  assert.equal(zed.maxServerMetadataItems, 128);
  assert.ok(zed.cloudServerFilters.includes('tags_any'));
  const old = serverConfigCapabilities('2.14', '2.14', undefined);
  assert.deepEqual(
    [old.hostnameAtCreate, old.tagsAtCreate, old.serverDescription, old.serverGroupRules, old.maxServerTags],
    [false, false, false, false, 0],
  );
  assert.deepEqual(old.oaktreeServerFilters, ['metadata']);
});

test('a cloud error that quotes the admin password is masked, keeping its code', () => {
  const quoted = new OaktreeError(
    Status.INVALID_ARGUMENT,
    "Invalid input for field/attribute server. Value: {'name': 'x', 'adminPass': 'Hunter2-secret'}. Additional properties are not allowed",
  );
  const masked = withoutSecret(quoted, 'Hunter2-secret') as OaktreeError;
  assert.equal(masked.grpcCode, Status.INVALID_ARGUMENT);
  assert.ok(!masked.message.includes('Hunter2-secret'));
  assert.match(masked.message, /'adminPass': '\*\*\*'/);
  const other = new OaktreeError(Status.UNAVAILABLE, 'nova is down');
  assert.equal(withoutSecret(other, 'Hunter2-secret'), other, 'an error without it passes as it is');
});
