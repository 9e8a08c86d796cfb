#!/usr/bin/env node
// The installed `oaktree` command: runs the compiled CLI (npm ci builds it; `npm run build` rebuilds it).
import('../dist/cli/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    console.error('oaktree is not built yet: run `npm run build` (npm ci does it for you)');
    process.exit(1);
  }
  throw error;
});
