import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadCloudsConfig, CloudsConfigError, Secret } from '../../../src/config/clouds/index.ts';
import type { LoadCloudsOptions } from '../../../src/config/clouds/index.ts';

let root: string;
let cwd: string;
let home: string;
let etc: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oaktree-clouds-'));
  cwd = join(root, 'cwd');
  home = join(root, 'home');
  etc = join(root, 'etc', 'openstack');
  for (const d of [cwd, join(home, '.config', 'openstack'), etc]) await mkdir(d, { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function load(extra: Partial<LoadCloudsOptions> = {}, env: Record<string, string> = {}) {
  return loadCloudsConfig({ env, cwd, homeDir: home, systemDirs: [etc], ...extra });
}

const PASSWORD_CLOUD = `
clouds:
  mycloud:
    auth:
      auth_url: https://keystone.example.com:5000/v3
      username: alice
      password: s3cr3t-pw
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
`;

describe('search path', () => {
  it('returns no clouds and no files when nothing exists', async () => {
    assert.deepEqual(await load(), { files: [], clouds: [], defaultCloud: undefined });
  });

  it('prefers cwd over ~/.config/openstack over /etc/openstack', async () => {
    await writeFile(join(etc, 'clouds.yaml'), PASSWORD_CLOUD.replace('mycloud', 'etc'));
    assert.equal((await load()).clouds[0].name, 'etc');
    await writeFile(join(home, '.config', 'openstack', 'clouds.yml'), PASSWORD_CLOUD.replace('mycloud', 'home'));
    assert.equal((await load()).clouds[0].name, 'home');
    await writeFile(
      join(cwd, 'clouds.json'),
      JSON.stringify({ clouds: { cwd: { auth: { auth_url: 'http://k/v3', token: 't' }, auth_type: 'token' } } }),
    );
    const loaded = await load();
    assert.deepEqual(
      loaded.clouds.map((c) => c.name),
      ['cwd'],
    );
    assert.deepEqual(loaded.files, [join(cwd, 'clouds.json')]);
  });

  it('prefers .yaml over .yml over .json in one directory', async () => {
    await writeFile(
      join(cwd, 'clouds.json'),
      JSON.stringify({ clouds: { j: { auth_type: 'token', auth: { auth_url: 'http://k', token: 't' } } } }),
    );
    await writeFile(join(cwd, 'clouds.yaml'), PASSWORD_CLOUD);
    assert.equal((await load()).clouds[0].name, 'mycloud');
  });

  it('honours XDG_CONFIG_HOME', async () => {
    const xdg = join(root, 'xdg');
    await mkdir(join(xdg, 'openstack'), { recursive: true });
    await writeFile(join(xdg, 'openstack', 'clouds.yaml'), PASSWORD_CLOUD.replace('mycloud', 'xdg'));
    assert.equal((await load({}, { XDG_CONFIG_HOME: xdg })).clouds[0].name, 'xdg');
  });

  it('OS_CLIENT_CONFIG_FILE names the exact file and wins over the search path', async () => {
    await writeFile(join(cwd, 'clouds.yaml'), PASSWORD_CLOUD);
    const other = join(root, 'elsewhere.yaml');
    await writeFile(other, PASSWORD_CLOUD.replace('mycloud', 'other'));
    const loaded = await load({}, { OS_CLIENT_CONFIG_FILE: other });
    assert.deepEqual(
      loaded.clouds.map((c) => c.name),
      ['other'],
    );
    assert.deepEqual(loaded.files, [other]);
  });

  it('opts.file wins over OS_CLIENT_CONFIG_FILE, and a missing named file is an error', async () => {
    const a = join(root, 'a.yaml');
    await writeFile(a, PASSWORD_CLOUD.replace('mycloud', 'a'));
    assert.equal((await load({ file: a }, { OS_CLIENT_CONFIG_FILE: join(root, 'nope.yaml') })).clouds[0].name, 'a');
    await assert.rejects(load({}, { OS_CLIENT_CONFIG_FILE: join(root, 'nope.yaml') }), (err: Error) => {
      assert.ok(err instanceof CloudsConfigError);
      assert.match(err.message, /nope\.yaml/);
      return true;
    });
  });
});

describe('secure.yaml', () => {
  it('is deep-merged into clouds.yaml', async () => {
    await writeFile(join(cwd, 'clouds.yaml'), PASSWORD_CLOUD.replace('      password: s3cr3t-pw\n', ''));
    await writeFile(
      join(home, '.config', 'openstack', 'secure.yaml'),
      'clouds:\n  mycloud:\n    auth:\n      password: from-secure\n',
    );
    const loaded = await load();
    assert.equal(loaded.files.length, 2);
    const auth = loaded.clouds[0].regions[0].auth;
    assert.equal(auth.password?.reveal(), 'from-secure');
    assert.equal(auth.username, 'alice');
  });

  it('OS_CLIENT_SECURE_FILE names the secure file', async () => {
    await writeFile(join(cwd, 'clouds.yaml'), PASSWORD_CLOUD);
    const sec = join(root, 's.yaml');
    await writeFile(sec, 'clouds:\n  mycloud:\n    auth:\n      password: other\n');
    const loaded = await load({}, { OS_CLIENT_SECURE_FILE: sec });
    assert.equal(loaded.clouds[0].regions[0].auth.password?.reveal(), 'other');
  });
});

describe('profiles', () => {
  it('applies a built-in vendor profile under the cloud', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  city:\n    profile: citycloud\n    auth:\n      username: u\n      password: p\n      project_id: pid\n',
    );
    const [cloud] = (await load()).clouds;
    assert.equal(cloud.profile, 'citycloud');
    assert.deepEqual(
      cloud.regions.map((r) => r.region),
      ['Buf1', 'Fra1', 'Sto2', 'Kna1', 'dx1', 'tky1'],
    );
    const fra = cloud.regions[1];
    assert.equal(fra.auth.authUrl, 'https://Fra1.citycloud.com:5000/v3/', '{region_name} is expanded per region');
    assert.equal(fra.imageFormat, 'raw');
    assert.equal(fra.requiresFloatingIp, true);
    assert.equal(fra.apiVersions.block_storage, '3');
  });

  it('accepts the legacy `cloud:` key and lets the cloud override the profile', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  v:\n    cloud: vexxhost\n    image_format: qcow2\n    region_name: sjc1\n    auth: {username: u, password: p, project_id: x}\n',
    );
    const [cloud] = (await load()).clouds;
    assert.deepEqual(
      cloud.regions.map((r) => r.region),
      ['sjc1'],
    );
    assert.equal(cloud.regions[0].imageFormat, 'qcow2');
    assert.equal(cloud.regions[0].floatingIpSource, null, 'vexxhost says floating_ip_source: None');
    assert.equal(cloud.regions[0].auth.authUrl, 'https://auth.vexxhost.net/v3');
  });

  it('clouds-public.yaml public-clouds win over built-in profiles', async () => {
    await writeFile(
      join(cwd, 'clouds-public.yaml'),
      'public-clouds:\n  ovh:\n    auth:\n      auth_url: https://mine.example/v3\n    regions: [X1]\n',
    );
    await writeFile(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  o:\n    profile: ovh\n    auth: {username: u, password: p, project_id: x}\n',
    );
    const loaded = await load();
    assert.equal(loaded.files.length, 2);
    assert.equal(loaded.clouds[0].regions[0].auth.authUrl, 'https://mine.example/v3');
    assert.deepEqual(
      loaded.clouds[0].regions.map((r) => r.region),
      ['X1'],
    );
  });

  it('rejects an unknown profile and a shut-down vendor, naming the key', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  a:\n    profile: nosuchvendor\n    auth: {auth_url: http://k, token: t}\n    auth_type: token\n',
    );
    await assert.rejects(load(), /line|cloud "a".*key "profile".*nosuchvendor/);
    await writeFile(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  a:\n    profile: internap\n    auth: {username: u, password: p, project_id: x}\n',
    );
    await assert.rejects(load(), /no longer exists/);
  });

  it('rejects identity v2 profiles (rackspace) since oaktree speaks Keystone v3', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  rax:\n    profile: rackspace\n    auth: {username: u, password: p, project_id: x}\n',
    );
    await assert.rejects(
      load(),
      (err: CloudsConfigError) => err.key === 'identity_api_version' && /v3 only/.test(err.message),
    );
  });
});

describe('regions', () => {
  it('takes strings and {name, values} mappings with per-region overrides', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      `clouds:
  c:
    auth: {auth_url: 'https://k.example/v3', username: u, password: p, project_id: x}
    image_format: qcow2
    regions:
      - r1
      - name: r2
        values:
          image_format: raw
          compute_endpoint_override: https://nova-{region_name}.example/v2.1
          networks:
            - name: public
              routes_externally: true
              default_interface: true
            - name: private
              nat_destination: true
`,
    );
    const [cloud] = (await load()).clouds;
    const [r1, r2] = cloud.regions;
    assert.equal(r1.region, 'r1');
    assert.equal(r1.imageFormat, 'qcow2');
    assert.deepEqual(r1.networks, []);
    assert.equal(r2.imageFormat, 'raw');
    assert.equal(r2.endpointOverrides.compute, 'https://nova-r2.example/v2.1');
    assert.deepEqual(
      r2.networks.map((n) => [
        n.name,
        n.routesExternally,
        n.routesIpv4Externally,
        n.natDestination,
        n.defaultInterface,
      ]),
      [
        ['public', true, true, false, true],
        ['private', false, false, true, false],
      ],
    );
  });

  it('gives a cloud with no region a single "" region', async () => {
    await writeFile(join(cwd, 'clouds.yaml'), PASSWORD_CLOUD.replace('    region_name: RegionOne\n', ''));
    const [cloud] = (await load()).clouds;
    assert.deepEqual(
      cloud.regions.map((r) => r.region),
      [''],
    );
  });

  it('splits a comma-separated region_name', async () => {
    await writeFile(join(cwd, 'clouds.yaml'), PASSWORD_CLOUD.replace('RegionOne', 'a,b'));
    assert.deepEqual(
      (await load()).clouds[0].regions.map((r) => r.region),
      ['a', 'b'],
    );
  });

  it('rejects regions that are not a list, naming file, cloud, key and line', async () => {
    await writeFile(join(cwd, 'clouds.yaml'), `${PASSWORD_CLOUD}    regions: RegionOne\n`);
    await assert.rejects(load(), (err: CloudsConfigError) => {
      assert.ok(err instanceof CloudsConfigError);
      assert.equal(err.file, join(cwd, 'clouds.yaml'));
      assert.equal(err.cloud, 'mycloud');
      assert.equal(err.key, 'regions');
      assert.equal(err.line, 12);
      assert.match(err.message, /clouds\.yaml:12, cloud "mycloud", key "regions": regions must be a list/);
      return true;
    });
  });

  it('rejects a region mapping with unknown keys', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      `${PASSWORD_CLOUD}    regions:\n      - name: a\n        image_format: raw\n`,
    );
    await assert.rejects(load(), /may only have "name" and "values"/);
  });
});

describe('defaults and keys', () => {
  it('applies openstacksdk defaults', async () => {
    await writeFile(join(cwd, 'clouds.yaml'), PASSWORD_CLOUD);
    const [r] = (await load()).clouds[0].regions;
    assert.equal(r.authType, 'password');
    assert.equal(r.interface, 'public');
    assert.equal(r.imageFormat, 'qcow2');
    assert.equal(r.floatingIpSource, 'neutron');
    assert.equal(r.imageApiUseTasks, false);
    assert.equal(r.verify, true);
    assert.equal(r.apiTimeout, undefined);
    assert.equal(r.identityApiVersion, '3');
  });

  it('reads auth, tls, timeouts, versions, overrides and behaviour keys', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      `clouds:
  c:
    auth_type: v3applicationcredential
    auth:
      auth-url: https://k.example/v3
      application_credential_id: acid
      application_credential_secret: ac-secret-value
    interface: internal
    verify: false
    cacert: /etc/ca.pem
    cert: /etc/c.pem
    key: /etc/k.pem
    api_timeout: 12.5
    compute_api_version: 2.79
    identity_api_version: 3
    block_storage_endpoint_override: https://cinder.example/v3
    image_format: raw
    floating_ip_source: nova
    requires_floating_ip: 'true'
    nat_destination: private
    image_api_use_tasks: true
    some_vendor_flag: 7
`,
    );
    const [r] = (await load()).clouds[0].regions;
    assert.equal(r.authType, 'application_credential');
    assert.equal(r.authTypeConfigured, 'v3applicationcredential');
    assert.equal(r.auth.authUrl, 'https://k.example/v3');
    assert.equal(r.auth.applicationCredentialId, 'acid');
    assert.equal(r.auth.applicationCredentialSecret?.reveal(), 'ac-secret-value');
    assert.equal(r.interface, 'internal');
    assert.equal(r.verify, false);
    assert.deepEqual([r.cacert, r.cert, r.key], ['/etc/ca.pem', '/etc/c.pem', '/etc/k.pem']);
    assert.equal(r.apiTimeout, 12.5);
    assert.equal(r.computeApiVersion, '2.79');
    assert.equal(r.identityApiVersion, '3');
    assert.equal(r.endpointOverrides.block_storage, 'https://cinder.example/v3');
    assert.equal(r.floatingIpSource, 'nova');
    assert.equal(r.requiresFloatingIp, true);
    assert.equal(r.natDestination, 'private');
    assert.equal(r.imageApiUseTasks, true);
    assert.equal(r.extra.some_vendor_flag, 7);
  });

  it('keeps api versions as written (2.10 is not 2.1)', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      `${PASSWORD_CLOUD}    compute_api_version: 2.10\n    block-storage-api-version: 3.0\n`,
    );
    const [r] = (await load()).clouds[0].regions;
    assert.equal(r.computeApiVersion, '2.10');
    assert.equal(r.apiVersions.block_storage, '3.0');
  });

  it('maps legacy spellings: tenant_name, auth_plugin, endpoint_type, insecure, domain_name', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      `clouds:
  c:
    auth_plugin: v3password
    endpoint_type: adminURL
    insecure: true
    auth:
      auth_url: https://k.example/v3
      username: u
      password: p
      tenant_name: proj
      domain_name: Dom
`,
    );
    const [r] = (await load()).clouds[0].regions;
    assert.equal(r.authType, 'password');
    assert.equal(r.interface, 'admin');
    assert.equal(r.verify, false);
    assert.equal(r.auth.projectName, 'proj');
    assert.equal(r.auth.userDomainName, 'Dom');
    assert.equal(r.auth.projectDomainName, 'Dom');
    assert.equal(r.auth.domainName, undefined, 'domain_name is shorthand once a project is scoped');
  });

  it('keeps domain_id as a domain scope when no project is given', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  c:\n    auth: {auth_url: http://k, username: u, password: p, user_domain_id: default, domain_id: d1}\n',
    );
    const [r] = (await load()).clouds[0].regions;
    assert.equal(r.auth.domainId, 'd1');
    assert.equal(r.auth.projectDomainId, undefined);
  });

  it('accepts token auth under its aliases', async () => {
    for (const t of ['token', 'v3token']) {
      await writeFile(
        join(cwd, 'clouds.yaml'),
        `clouds:\n  c:\n    auth_type: ${t}\n    auth: {auth_url: http://k, token: tok-value, project_id: p}\n`,
      );
      const [r] = (await load()).clouds[0].regions;
      assert.equal(r.authType, 'token');
      assert.equal(r.auth.token?.reveal(), 'tok-value');
    }
  });
});

describe('environment', () => {
  const OS = {
    OS_AUTH_URL: 'https://env.example/v3',
    OS_USERNAME: 'envuser',
    OS_PASSWORD: 'env-password-xyz',
    OS_PROJECT_NAME: 'envproj',
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_ID: 'default',
    OS_REGION_NAME: 'EnvRegion',
  };

  it('builds the envvars cloud from OS_* and makes it the default', async () => {
    const loaded = await load({}, OS);
    assert.equal(loaded.files.length, 0);
    assert.equal(loaded.defaultCloud, 'envvars');
    const [cloud] = loaded.clouds;
    assert.equal(cloud.name, 'envvars');
    assert.equal(cloud.isDefault, true);
    assert.equal(cloud.regions[0].region, 'EnvRegion');
    assert.equal(cloud.regions[0].auth.username, 'envuser');
    assert.equal(cloud.regions[0].auth.password?.reveal(), 'env-password-xyz');
    assert.equal(cloud.regions[0].auth.projectDomainId, 'default');
  });

  it('ignores selector-only environments and OS_TEST/OS_LOG', async () => {
    const loaded = await load({}, { OS_REGION_NAME: 'x', OS_TEST_TIMEOUT: '5', OS_LOG_CAPTURE: '1' });
    assert.deepEqual(loaded.clouds, []);
  });

  it('adds envvars next to file clouds; OS_CLOUD_NAME renames it; a clash is an error', async () => {
    await writeFile(join(cwd, 'clouds.yaml'), PASSWORD_CLOUD);
    let loaded = await load({}, OS);
    assert.deepEqual(
      loaded.clouds.map((c) => c.name),
      ['mycloud', 'envvars'],
    );
    loaded = await load({}, { ...OS, OS_CLOUD_NAME: 'fromenv' });
    assert.deepEqual(
      loaded.clouds.map((c) => c.name),
      ['mycloud', 'fromenv'],
    );
    await assert.rejects(load({}, { ...OS, OS_CLOUD_NAME: 'mycloud' }), /defined in the file and by OS_\* variables/);
  });

  it('OS_CLOUD picks the default cloud and must exist', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      PASSWORD_CLOUD + PASSWORD_CLOUD.replace('clouds:\n', '').replace('mycloud', 'second'),
    );
    const loaded = await load({}, { OS_CLOUD: 'second' });
    assert.equal(loaded.defaultCloud, 'second');
    assert.deepEqual(
      loaded.clouds.map((c) => c.isDefault),
      [false, true],
    );
    assert.equal((await load()).defaultCloud, undefined, 'two clouds and no OS_CLOUD: no default');
    await assert.rejects(load({}, { OS_CLOUD: 'ghost' }), /OS_CLOUD names cloud "ghost"/);
  });

  it('reports envvars errors against the environment', async () => {
    await assert.rejects(load({}, { OS_USERNAME: 'x', OS_PASSWORD: 'pw' }), (err: CloudsConfigError) => {
      assert.match(err.message, /environment.*cloud "envvars".*auth_url is required/);
      assert.doesNotMatch(err.message, /pw/);
      return true;
    });
  });
});

describe('errors', () => {
  async function expectError(yaml: string, check: (e: CloudsConfigError) => void) {
    await writeFile(join(cwd, 'clouds.yaml'), yaml);
    await assert.rejects(load(), (err: unknown) => {
      assert.ok(err instanceof CloudsConfigError, String(err));
      check(err);
      return true;
    });
  }

  it('unknown auth_type', () =>
    expectError(`${PASSWORD_CLOUD}    auth_type: v3oidcpassword\n`, (e) => {
      assert.equal(e.key, 'auth_type');
      assert.equal(e.line, 12);
      assert.match(e.message, /unsupported auth_type "v3oidcpassword"/);
    }));

  it('missing auth_url points at the auth block', () =>
    expectError(PASSWORD_CLOUD.replace('      auth_url: https://keystone.example.com:5000/v3\n', ''), (e) => {
      assert.equal(e.key, 'auth.auth_url');
      assert.equal(e.cloud, 'mycloud');
      assert.equal(e.line, 5);
      assert.match(e.message, /auth_url is required/);
    }));

  it('wrong types', async () => {
    await expectError(`${PASSWORD_CLOUD}    verify: [1]\n`, (e) => {
      assert.equal(e.key, 'verify');
      assert.match(e.message, /must be true or false, not a list/);
    });
    await expectError(`${PASSWORD_CLOUD}    api_timeout: soon\n`, (e) => assert.equal(e.key, 'api_timeout'));
    await expectError(`${PASSWORD_CLOUD}    auth_type: {a: 1}\n`, (e) =>
      assert.match(e.message, /must be a string, not a mapping/),
    );
    await expectError('clouds:\n  c:\n    auth: [1, 2]\n', (e) => assert.equal(e.key, 'auth'));
    await expectError('clouds: [a]\n', (e) => assert.equal(e.key, 'clouds'));
    await expectError(`${PASSWORD_CLOUD}    networks: {name: x}\n`, (e) => assert.equal(e.key, 'networks'));
    await expectError(`${PASSWORD_CLOUD}    interface: sideways\n`, (e) => assert.equal(e.key, 'interface'));
  });

  it('a wrong type inside a region reports the region path', () =>
    expectError(
      PASSWORD_CLOUD.replace(
        '    region_name: RegionOne\n',
        '    regions:\n      - name: a\n        values:\n          verify: maybe\n',
      ),
      (e) => {
        assert.equal(e.key, 'regions[0].values.verify');
        assert.equal(e.line, 14);
      },
    ));

  it('two networks flagged nat_destination', () =>
    expectError(
      `${PASSWORD_CLOUD}    networks:\n      - {name: a, nat_destination: true}\n      - {name: b, nat_destination: true}\n`,
      (e) => assert.match(e.message, /only one network may set nat_destination/),
    ));

  it('YAML syntax error carries the line', () =>
    expectError('clouds:\n  c:\n    auth:\n      auth_url: "unterminated\n    x: [\n', (e) => {
      assert.equal(e.file, join(cwd, 'clouds.yaml'));
      assert.ok(e.line && e.line >= 4, `line ${e.line}`);
      assert.match(e.message, /clouds\.yaml:\d+: syntax error/);
    }));

  it('missing password names the key but no secret', () =>
    expectError('clouds:\n  c:\n    auth: {auth_url: http://k, username: u, project_id: x}\n', (e) => {
      assert.equal(e.key, 'auth.password');
      assert.equal(e.line, 3);
    }));

  it('a string-typed secret of the wrong type is described, not echoed', () =>
    expectError(
      'clouds:\n  c:\n    auth: {auth_url: http://k, username: u, password: p, project_id: x, user_domain_name: [hunter2]}\n',
      (e) => {
        assert.doesNotMatch(e.message, /hunter2/);
      },
    ));
});

describe('secrets', () => {
  it('never appear in JSON.stringify, util.inspect, String() or template strings', async () => {
    await writeFile(
      join(cwd, 'clouds.yaml'),
      `clouds:
  pw:
    auth: {auth_url: http://k, username: u, password: PW-SECRET-1, project_id: x}
    my_vendor_token: VENDOR-SECRET-4
  ac:
    auth_type: application_credential
    auth: {auth_url: http://k, application_credential_id: i, application_credential_secret: AC-SECRET-2}
  tk:
    auth_type: token
    auth: {auth_url: http://k, token: TOKEN-SECRET-3}
`,
    );
    const loaded = await load();
    const dumps = [
      JSON.stringify(loaded),
      inspect(loaded, { depth: Infinity, showHidden: true }),
      String(loaded.clouds[0].regions[0].auth.password),
      `${loaded.clouds[1].regions[0].auth.applicationCredentialSecret}`,
    ];
    for (const dump of dumps) {
      for (const secret of ['PW-SECRET-1', 'AC-SECRET-2', 'TOKEN-SECRET-3', 'VENDOR-SECRET-4'])
        assert.ok(!dump.includes(secret), `${secret} leaked`);
    }
    assert.match(dumps[0], /"password":"\*\*\*"/);
    assert.ok(loaded.clouds[0].regions[0].extra.my_vendor_token instanceof Secret);
    assert.equal(loaded.clouds[2].regions[0].auth.token?.reveal(), 'TOKEN-SECRET-3');
  });
});
