/**
 * `npm run bench -- <name> [flags]`: runs test/bench/<name>.ts, whose last output line is one
 * JSON object with the figures. Benchmarks hold the speed and memory targets; tests never time.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.includes('.test.') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [flags]`);
  process.exit(2);
}
const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as {
  run(argv: string[]): Promise<Record<string, unknown>>;
  /** Environment the measured service runs with in the appliance (read at process start). */
  processEnv?: Record<string, string>;
  /** V8 flags the measured service runs with in the appliance (fixed at process start too). */
  v8Flags?: readonly string[];
};
const missing = Object.entries(mod.processEnv ?? {}).filter(([k, v]) => process.env[k] !== v);
const missingFlags = (mod.v8Flags ?? []).filter((f) => !process.execArgv.includes(f));
if (missing.length > 0 || missingFlags.length > 0) {
  // Set only at start (glibc tunables, V8 heap sizes): run again as a child set up like the service.
  const child = spawnSync(process.execPath, [...missingFlags, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...Object.fromEntries(missing) },
  });
  process.exit(child.status ?? 1);
}
const result = await mod.run(process.argv.slice(3));
console.log(JSON.stringify(result));
process.exit(0);
