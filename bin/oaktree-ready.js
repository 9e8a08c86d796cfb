#!/usr/bin/env node
// `oaktree-ready [--endpoint host:port] [--timeout s] [--ca ca.pem]`: waits for a node's health check to answer
// SERVING (the systemd unit's readiness step). Runs the compiled code, like bin/oaktree.js.
const { main } = await import('../dist/node/health-probe.js');
process.exit(await main(process.argv.slice(2)));
