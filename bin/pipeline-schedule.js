#!/usr/bin/env node
// Runs the TypeScript source in a checkout (through tsx, a dev dependency) and the compiled
// dist/ in a deployed image, where src/ is not shipped.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import('../dist/cli.js');
}
await cli.main();
