// The layer rule (npm test fails when an import points up): cli → node → api → mesh → backends → cache → core.
// core, gen, wire and observability are the bottom: they import nothing of the product above them. wire (how
// messages become bytes) is shared by the node and the SDK, so it imports only gen. auth (who is calling,
// what they may touch) sits beside api: api and node use it; nothing below them may.
const layer = (name) => `^src/${name}/`;
const above = {
  core: ['config', 'cache', 'backends', 'mesh', 'api', 'auth', 'node', 'cli', 'client', 'simulator', 'tools'],
  wire: ['core', 'config', 'cache', 'backends', 'mesh', 'api', 'auth', 'node', 'cli', 'client', 'simulator', 'tools', 'observability'],
  gen: ['core', 'config', 'cache', 'backends', 'mesh', 'api', 'auth', 'node', 'cli', 'client', 'simulator', 'tools', 'observability'],
  observability: ['config', 'cache', 'backends', 'mesh', 'api', 'auth', 'node', 'cli', 'client', 'simulator', 'tools'],
  config: ['cache', 'backends', 'mesh', 'api', 'auth', 'node', 'cli', 'client', 'simulator'],
  cache: ['backends', 'mesh', 'api', 'auth', 'node', 'cli', 'client', 'simulator'],
  backends: ['mesh', 'api', 'auth', 'node', 'cli', 'client', 'simulator'],
  mesh: ['api', 'auth', 'node', 'cli', 'client', 'simulator'],
  auth: ['mesh', 'api', 'node', 'cli', 'client', 'simulator'],
  api: ['node', 'cli', 'client', 'simulator'],
  node: ['cli', 'client'],
  // The SDK ships to users on its own: it speaks the contract, nothing of the node.
  client: ['core', 'config', 'cache', 'backends', 'mesh', 'api', 'auth', 'node', 'cli', 'simulator', 'observability'],
};
module.exports = {
  forbidden: [
    ...Object.entries(above).map(([from, targets]) => ({
      name: `${from}-points-up`,
      comment: `src/${from} may not import ${targets.join(', ')} (layers point down; see DESIGN.md)`,
      severity: 'error',
      from: { path: layer(from) },
      to: { path: `^src/(${targets.join('|')})/` },
    })),
    {
      name: 'simulator-stands-alone',
      comment: 'the simulator is an OpenStack of its own: it imports nothing of the product',
      severity: 'error',
      from: { path: '^src/simulator/' },
      to: { path: '^src/', pathNot: '^src/simulator/' },
    },
    {
      name: 'no-circular',
      comment: 'modules that import each other cannot be understood or loaded one at a time',
      severity: 'error',
      // The swc parser does not tell type-only imports apart; the simulator's one cycle is type-only (http.ts
      // names the CloudRuntime type), so the simulator is left out of this rule.
      from: { path: '^src/', pathNot: '^src/simulator/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    parser: 'swc', // dependency-cruiser 17 reads TypeScript < 7 only; swc parses it without the compiler API
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/gen/' },
  },
};
