#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx: the appliance ships as source, with no
// build step between a git checkout and a running box.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../appliance/cli.ts');
process.exitCode = await main(process.argv.slice(2));
