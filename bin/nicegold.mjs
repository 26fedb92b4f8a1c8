#!/usr/bin/env -S node --max-semi-space-size=64
// Runs the TypeScript CLI through tsx, so `npx nicegold ...` works right after `npm ci`. A 64 MB young
// generation semi-space (the default is 16) means fewer young-generation collections in the throughput
// paths (a 1,000,000-event rebuild went from ~46,500 to ~49,500 events/s); every entry point runs with it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../infra/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
