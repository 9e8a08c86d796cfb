// The node config file, described key by key: what docs/operating.md's reference is generated from
// (src/tools/operating-docs.ts). Each section names a probe, a config with an unknown key `zzz` at that place;
// test/unit/docs/operating-docs.test.ts feeds every probe to the parser and checks that the keys it accepts there
// are exactly the keys described here, so the reference cannot drift from the parser.

export interface SettingDoc {
  /** The key within its section. */
  key: string;
  type: string;
  default?: string;
  doc: string;
}

export interface SectionDoc {
  /** Dotted path of the section; '' for the top level. */
  path: string;
  /** A node config with `zzz` as an unknown key in this section. */
  probe: string;
  doc?: string;
  settings: SettingDoc[];
}

export const NODE_CONFIG_REFERENCE: SectionDoc[] = [
  {
    path: '',
    probe: 'zzz: 1',
    settings: [
      {
        key: 'node_id',
        type: 'string',
        default: '<host>-<port>-<random>',
        doc: 'The node’s id in the mesh (letters, digits, `. _ : -`); unique among the nodes a call may pass.',
      },
      {
        key: 'listen',
        type: 'host:port',
        default: '127.0.0.1:50051',
        doc: 'Where the gRPC API listens; port 0 picks a free port. Beyond loopback it needs `tls` and `auth` (or `insecure`).',
      },
      { key: 'clouds', type: 'mapping', doc: 'Which clouds.yaml and which of its entries this node serves.' },
      {
        key: 'simulate',
        type: 'list',
        doc: 'Simulated clouds started in this process (the default when there is no clouds.yaml and no peer).',
      },
      { key: 'peers', type: 'list', default: '[]', doc: 'Upstream oaktree nodes this node forwards to.' },
      {
        key: 'redis',
        type: 'redis:// URL',
        doc: 'Share caches, pollers, locks, watch-token keys and the `limits` with replicas of this node. Also `rediss://` (TLS) and `unix:///path/to/socket`.',
      },
      {
        key: 'log_level',
        type: 'trace…silent',
        default: 'info',
        doc: 'JSON logs on stderr; a line written during a traced call carries its `traceId`.',
      },
      { key: 'max_hops', type: 'integer ≥ 1', default: '8', doc: 'Longest path of nodes a call may take.' },
      { key: 'tls', type: 'mapping', doc: 'Serve TLS (and mTLS) on the gRPC port.' },
      {
        key: 'insecure',
        type: 'boolean',
        default: 'false',
        doc: 'Allow a listener beyond loopback without TLS and auth (warned about at every start).',
      },
      {
        key: 'auth',
        type: 'mapping',
        doc: 'Caller authentication and the policy file; absent: no auth (loopback use).',
      },
      { key: 'connections', type: 'mapping', doc: 'Bounds on client connections.' },
      { key: 'watch_tokens', type: 'mapping', doc: 'The key that signs watch resume tokens.' },
      {
        key: 'metrics',
        type: 'mapping',
        doc: 'The operator HTTP listener: Prometheus `/metrics` and the status page (`/`). Absent: no listener.',
      },
      { key: 'tracing', type: 'mapping', doc: 'OpenTelemetry trace export. Absent: off.' },
      {
        key: 'limits',
        type: 'mapping',
        doc: 'Request rate and concurrency per cloud (and region). Absent: unlimited.',
      },
      {
        key: 'reload',
        type: 'mapping',
        doc: 'Reload when the config file or clouds.yaml changes (SIGHUP always reloads). Absent: SIGHUP only.',
      },
    ],
  },
  {
    path: 'clouds',
    probe: 'clouds: { zzz: 1 }',
    settings: [
      {
        key: 'file',
        type: 'path',
        default: 'openstacksdk’s search',
        doc: 'An explicit clouds.yaml (else `OS_CLIENT_CONFIG_FILE`, the working directory, `~/.config/openstack`, `/etc/openstack`).',
      },
      {
        key: 'only',
        type: 'list of names',
        default: 'every entry',
        doc: 'Serve only these clouds.yaml entries; `[]` serves none (a pure gateway).',
      },
    ],
  },
  {
    path: 'simulate[]',
    probe: 'simulate: [{ zzz: 1 }]',
    settings: [
      { key: 'name', type: 'string', doc: 'The cloud’s name (required).' },
      { key: 'regions', type: 'list', default: '[RegionOne]', doc: 'Its regions.' },
      { key: 'seed_servers', type: 'integer', default: '0', doc: 'Servers it starts with.' },
      { key: 'seed_images', type: 'integer', default: '2', doc: 'Images it starts with.' },
      { key: 'boot_delay_ms', type: 'integer', doc: 'Time a new server spends in BUILD.' },
      { key: 'latency_ms', type: 'integer', doc: 'Added to every answer.' },
      { key: 'projects', type: 'list', default: '[demo]', doc: 'The demo user’s projects.' },
      { key: 'users', type: 'list', default: '[]', doc: 'More simulated users (docs/simulator.md).' },
    ],
  },
  {
    path: 'simulate[].users[]',
    probe: 'simulate: [{ name: s, users: [{ name: u, zzz: 1 }] }]',
    settings: [
      { key: 'name', type: 'string', doc: 'The user’s name (required).' },
      { key: 'password', type: 'string', default: 'secret', doc: 'Its password.' },
      { key: 'projects', type: 'list', default: 'the first project', doc: 'Projects it gets its roles on.' },
      { key: 'roles', type: 'list', default: '[member, reader]', doc: 'Keystone roles on each of them.' },
      { key: 'admin', type: 'boolean', default: 'false', doc: 'A cloud-wide admin.' },
    ],
  },
  {
    path: 'peers[]',
    probe: 'peers: [{ zzz: 1 }]',
    settings: [
      { key: 'address', type: 'host:port', doc: 'The upstream node (required).' },
      { key: 'tls', type: 'mapping', doc: 'Dial it with TLS: `ca`, `cert` + `key` (mTLS), `server_name`.' },
    ],
  },
  {
    path: 'peers[].tls',
    probe: 'peers: [{ address: "127.0.0.1:1", tls: { zzz: 1 } }]',
    settings: [
      { key: 'ca', type: 'PEM file', default: 'system CAs', doc: 'CA that signs the peer’s certificate.' },
      { key: 'cert', type: 'PEM file', doc: 'This node’s client certificate (with `key`).' },
      { key: 'key', type: 'PEM file', doc: 'Its key.' },
      {
        key: 'server_name',
        type: 'string',
        doc: 'The name the peer’s certificate carries when it differs from the address.',
      },
    ],
  },
  {
    path: 'tls',
    probe: 'tls: { zzz: 1 }',
    settings: [
      { key: 'cert', type: 'PEM file', doc: 'Server certificate (required); re-read on SIGHUP.' },
      { key: 'key', type: 'PEM file', doc: 'Its key (required).' },
      { key: 'client_ca', type: 'PEM file', doc: 'Verify client certificates signed by this CA (mTLS).' },
      {
        key: 'require_client_cert',
        type: 'boolean',
        default: 'false',
        doc: 'Refuse clients without one at the handshake (needs `client_ca`).',
      },
    ],
  },
  {
    path: 'auth',
    probe: 'auth: { zzz: 1 }',
    doc: 'At least one method, and `policy`.',
    settings: [
      {
        key: 'keystone',
        type: 'mapping',
        doc: 'Keystone tokens validated against `cloud` (a clouds.yaml entry), re-checked every `revalidate_seconds`.',
      },
      {
        key: 'jwt',
        type: 'mapping',
        doc: 'OIDC/JWT bearer tokens: `jwks_file` or `jwks_url`, `issuer`, `audience`, `clock_skew_seconds`, `groups_claim`, `project_claim`.',
      },
      { key: 'static_tokens', type: 'mapping', doc: '`file`: hashed static tokens for services.' },
      { key: 'certificates', type: 'boolean', doc: 'Client certificates (mTLS) identify callers.' },
      { key: 'policy', type: 'path', doc: 'The grants file (required with auth).' },
      {
        key: 'peers',
        type: 'list of names',
        doc: 'Identities of peer nodes allowed to forward routing metadata and callers.',
      },
    ],
  },
  {
    path: 'connections',
    probe: 'connections: { zzz: 1 }',
    settings: [
      { key: 'max_total', type: 'integer ≥ 1', default: '10000', doc: 'Client connections at once.' },
      { key: 'max_per_source', type: 'integer ≥ 1', default: '1000', doc: 'Connections from one address.' },
      { key: 'idle_timeout_s', type: 'integer ≥ 1', default: '300', doc: 'Close a connection idle this long.' },
      {
        key: 'handshake_timeout_s',
        type: 'integer ≥ 1',
        default: '10',
        doc: 'Close a connection that has not finished its handshake.',
      },
    ],
  },
  {
    path: 'watch_tokens',
    probe: 'watch_tokens: { zzz: 1 }',
    settings: [
      {
        key: 'secret_file',
        type: 'path',
        default: 'from Redis, else per run',
        doc: 'The resume-token key, shared by replicas.',
      },
    ],
  },
  {
    path: 'metrics',
    probe: 'metrics: { zzz: 1 }',
    settings: [
      {
        key: 'listen',
        type: 'host:port',
        doc: 'Plain HTTP listener for `GET /metrics`, the status page `GET /` and its `GET /status.json` (required; port 0 picks one). Keep it on loopback or a management network: it has no auth.',
      },
    ],
  },
  {
    path: 'tracing',
    probe: 'tracing: { zzz: 1 }',
    settings: [
      {
        key: 'otlp_endpoint',
        type: 'http(s) URL',
        doc: 'OTLP/HTTP (JSON) traces endpoint, e.g. `http://127.0.0.1:4318/v1/traces` (required).',
      },
      {
        key: 'service_name',
        type: 'string',
        default: 'oaktree',
        doc: 'The `service.name` of the spans; `service.instance.id` is the node id.',
      },
    ],
  },
  {
    path: 'reload',
    probe: 'reload: { zzz: 1 }',
    settings: [
      {
        key: 'watch',
        type: 'boolean',
        default: 'false',
        doc: 'Watch the config file and an explicit `clouds.file` and reload when one changes, as SIGHUP does.',
      },
      {
        key: 'debounce_ms',
        type: 'integer ≥ 0',
        default: '500',
        doc: 'Quiet time after the last change before the reload (an editor writes a file in several steps).',
      },
    ],
  },
  {
    path: 'limits.<cloud>',
    probe: 'limits: { prod: { zzz: 1 } }',
    doc: 'Keyed by clouds.yaml entry name. A request passes its region’s limits, then its cloud’s. With `redis`, the replicas of the node share them (each falls back to its own when Redis is out of reach).',
    settings: [
      {
        key: 'rate',
        type: 'number > 0',
        doc: 'Requests per second to the whole cloud, paced (one every 1.1/rate s), shared by every caller of the node.',
      },
      { key: 'concurrency', type: 'integer ≥ 1', doc: 'Requests in flight to the whole cloud.' },
      { key: 'regions', type: 'mapping', doc: 'The same two settings per region name.' },
    ],
  },
  {
    path: 'limits.<cloud>.regions.<region>',
    probe: 'limits: { prod: { regions: { R: { zzz: 1 } } } }',
    settings: [
      { key: 'rate', type: 'number > 0', doc: 'Requests per second to this region.' },
      { key: 'concurrency', type: 'integer ≥ 1', doc: 'Requests in flight to this region.' },
    ],
  },
];
