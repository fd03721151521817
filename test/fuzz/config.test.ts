import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../appliance/index.ts';
import { configSchema } from '../../contracts/index.ts';
import { FUZZ_SEED, fuzzIterations, mutate, Rng } from './prng.ts';

/**
 * Fuzzing the configuration loader: a hand-edited YAML file is the one input an operator writes.
 * Whatever the file holds, `loadConfigFile` answers with a valid configuration or a list of
 * problems, each with a path and a message; it never throws, and what it accepts the schema
 * accepts again unchanged (no half-parsed value slips through).
 */
const dir = mkdtempSync(path.join(tmpdir(), 'alpr-fuzz-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FULL = {
  site: { id: 'tallahassee-1', agency: "Example County Sheriff's Office" },
  dataDir: '/var/lib/alpr',
  cameras: [
    {
      id: 'us27-nb',
      name: 'US-27 northbound',
      url: 'rtsp://10.20.0.11:554/stream1',
      location: { lat: 30.48, lon: -84.33, description: 'US-27 at Capital Circle' },
      direction: 'N',
      deploymentRef: 'DEP-2026-014',
    },
  ],
  storage: { kind: 'embedded' },
  nats: { embedded: true, port: 4222, readsMaxAgeHours: 72 },
  retention: { tacticalDays: 30, holdMaxYears: 3 },
  server: { host: '127.0.0.1', port: 8080 },
  supervisor: { restartInitialMs: 500 },
  hotlists: {
    sources: [
      { name: 'ncic', mapping: 'ncic' },
      { name: 'agency', kind: 'agency' },
    ],
    watchIntervalSeconds: 60,
  },
};

const HOSTILE_YAML = [
  'a: &a [*a]\n', // self-referencing alias
  'x: &x ["a","a","a","a"]\ny: &y [*x,*x,*x,*x]\nz: &z [*y,*y,*y,*y]\nw: [*z,*z,*z,*z,*z,*z,*z,*z]\n', // alias bomb
  'dataDir: !!binary aGVsbG8=\n',
  'dataDir: !!js/function "function(){}"\n',
  '? [a, b]\n: c\n',
  '<<: {dataDir: /tmp}\n',
  'site: {id: a}\nsite: {id: b}\n',
  '\ufeffdataDir: /tmp\n',
  '%YAML 9.9\n---\ndataDir: x\n',
  '--- a\n--- b\n',
  '__proto__: {dataDir: /polluted}\n',
  'constructor: {prototype: {x: 1}}\n',
  'cameras: !!set {a, b}\n',
  'retention: {tacticalDays: 1e400}\n',
  'retention: {tacticalDays: .nan}\n',
  'nats: {port: 0x10000}\n',
  'server: {port: -0}\n',
  'logLevel: [info]\n',
  '"\\ud800": 1\n',
  '\t- tab indented\n',
  '',
  '\0\0\0',
  '[1, 2',
  'a: "unterminated\n',
];

function load(text: string | Uint8Array, i: number) {
  const file = path.join(dir, `c${i}.yaml`);
  writeFileSync(file, text);
  let result: ReturnType<typeof loadConfigFile>;
  try {
    result = loadConfigFile(file);
  } catch (err) {
    throw new Error(
      `loadConfigFile threw on ${JSON.stringify(Buffer.from(text).toString('latin1').slice(0, 400))}: ${(err as Error).stack}`,
    );
  }
  if (result.ok) {
    // What the loader accepted is a configuration the schema itself accepts, unchanged.
    const json = JSON.parse(JSON.stringify(result.config));
    expect(configSchema.parse(json)).toEqual(json);
  } else {
    expect(result.problems.length).toBeGreaterThan(0);
    for (const p of result.problems) {
      expect(typeof p.path).toBe('string');
      expect(p.path.length).toBeGreaterThan(0);
      expect(p.message.length).toBeGreaterThan(0);
    }
  }
  return result;
}

/** Replaces one value somewhere in the document with a hostile one. */
function poke(rng: Rng, doc: unknown, depth = 0): unknown {
  const hostile = () =>
    rng.pick<unknown>([
      null,
      true,
      -1,
      0,
      1e308,
      -1e308,
      2 ** 53 + 1,
      0.5,
      '',
      rng.nastyString(),
      [],
      {},
      [rng.nastyString()],
      { x: 1 },
      'x'.repeat(5000),
    ]);
  if (depth > 6 || doc === null || typeof doc !== 'object' || rng.chance(0.25)) return hostile();
  if (Array.isArray(doc)) {
    const copy = [...doc];
    if (copy.length && rng.chance(0.8)) copy[rng.int(0, copy.length - 1)] = poke(rng, copy[rng.int(0, copy.length - 1)], depth + 1);
    else copy.push(hostile());
    return copy;
  }
  const copy: Record<string, unknown> = { ...(doc as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (rng.chance(0.1)) copy[rng.pick(['unknownKey', '__proto__', 'constructor', rng.nastyString()])] = hostile();
  // biome-ignore lint/suspicious/noDuplicateElseIf: each rng.chance() draws anew
  else if (rng.chance(0.1) && keys.length) delete copy[rng.pick(keys)];
  else if (keys.length) {
    const k = rng.pick(keys);
    copy[k] = poke(rng, copy[k], depth + 1);
  }
  return copy;
}

describe(`configuration loader under fuzzing (seed ${FUZZ_SEED})`, () => {
  it('accepts the documented full configuration', () => {
    expect(load(stringify(FULL), -1).ok).toBe(true);
  });

  it('answers hostile YAML constructs with problems, never an exception', () => {
    HOSTILE_YAML.forEach((y, i) => load(y, 1000 + i));
  });

  it('answers structurally poked documents with a valid config or every problem', () => {
    const rng = new Rng(FUZZ_SEED * 101);
    let refused = 0;
    const n = fuzzIterations(300);
    for (let i = 0; i < n; i++) {
      let doc: unknown = FULL;
      for (let k = rng.int(1, 3); k > 0; k--) doc = poke(rng, doc);
      if (!load(stringify(doc), i).ok) refused++;
    }
    expect(refused).toBeGreaterThan(n / 2);
  });

  it('answers byte-mutated files with a valid config or problems', () => {
    const rng = new Rng(FUZZ_SEED * 103);
    const base = new TextEncoder().encode(stringify(FULL));
    for (let i = 0; i < fuzzIterations(300); i++) load(mutate(rng, base), 2000 + i);
  });
});
