import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Location } from '../../../src/gen/oaktree/v1/location.ts';
import { objectLocation, projectIdOf, serverZone } from '../../../src/backends/openstack/normalize/location.ts';

const route: Location = {
  cloud: 'c',
  region: 'r',
  zone: '',
  project: { id: 'p1', name: 'demo', domainId: 'default', domainName: 'Default' },
};

test('the scoped project keeps its name and domain; another project only its id', () => {
  assert.deepEqual(objectLocation(route, { tenant_id: 'p1' }, 'az1'), { ...route, zone: 'az1' });
  assert.deepEqual(objectLocation(route, { owner: 'p2' }).project, {
    id: 'p2',
    name: '',
    domainId: '',
    domainName: '',
  });
  assert.deepEqual(objectLocation(route, {}).project, route.project, 'no owner given: the scoped project');
});

test('project id spellings and server zone', () => {
  assert.equal(projectIdOf({ project_id: 'a', tenant_id: 'b' }), 'a');
  assert.equal(projectIdOf({ tenant_id: 'b' }), 'b');
  assert.equal(projectIdOf({ owner: 'c' }), 'c');
  assert.equal(projectIdOf({ 'os-vol-tenant-attr:tenant_id': 'd' }), 'd');
  assert.equal(projectIdOf({ owner: '' }), undefined);
  assert.equal(serverZone({ 'OS-EXT-AZ:availability_zone': 'nova' }), 'nova');
  assert.equal(serverZone({}), '');
});
