import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultClipCache, type KeyEntry } from '../../pipeline/simulator/index.ts';
import { bootstrapAccess, setupTokenFrom, type AccessFixture } from '../helpers/access.ts';
import { freePort, tempDir } from '../helpers/nats.ts';
import { stopApplianceProcess } from '../helpers/appliance-process.ts';

/**
 * `alpr appliance` with no camera configured: it runs a simulated camera, and the plates the
 * simulator shows come out at the far end, stored and searchable in /api/reads, with the
 * camera live in /api/health and its pipeline metrics in /api/metrics.
 */
const BIN = path.resolve('bin/alpr.mjs');
let dir: string;
let api: string;
let proc: ChildProcess | null = null;
let logs = '';
let access: AccessFixture;

async function until<T>(fn: () => Promise<T | null | undefined | false>, what: string, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- logs ---\n${logs.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  dir = tempDir('appliance-sim');
  const [natsPort, apiPort] = [await freePort(), await freePort()];
  api = `http://127.0.0.1:${apiPort}`;
  const configFile = path.join(dir, 'alpr.yaml');
  writeFileSync(
    configFile,
    [`dataDir: ${path.join(dir, 'data')}`, `nats: { port: ${natsPort} }`, `server: { port: ${apiPort} }`].join('\n'),
  );
  proc = spawn(process.execPath, [BIN, 'appliance', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ALPR_SIM_CACHE: defaultClipCache() },
  });
  proc.stdout!.on('data', (d) => (logs = (logs + d).slice(-200_000)));
  proc.stderr!.on('data', (d) => (logs = (logs + d).slice(-200_000)));
  const token = await until(async () => setupTokenFrom(logs), 'the setup link in the log', 90_000);
  access = await bootstrapAccess(api, token, ['sim-1']);
}, 120_000);

afterAll(async () => {
  await stopApplianceProcess(proc, path.join(dir, 'data'), 30_000);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('appliance with no camera configured', () => {
  it('runs a simulated camera whose plates are stored and searchable', async () => {
    const health = await until(
      async () => {
        const h = (await (await access.health(api)).json()) as { cameras: { cameraId: string; state: string }[] };
        return h.cameras.find((c) => c.cameraId === 'sim-1' && c.state === 'live') ? h : null;
      },
      'the simulated camera live in /api/health',
      120_000,
    );
    expect(health.cameras.map((c) => c.cameraId)).toContain('sim-1');

    const keyFile = path.join(dir, 'data', 'simulator', 'answer-key.jsonl');
    const key = () =>
      existsSync(keyFile)
        ? readFileSync(keyFile, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as KeyEntry)
        : [];
    // Any moving plate that has passed since the camera was authorised, found by its exact text.
    const found = await until(
      async () => {
        for (const k of key().filter((e) => !e.parked && e.to < Date.now() - 3000)) {
          const res = await access.fetch(api, `/api/reads?plate=${k.plate}`);
          if (!res.ok) continue;
          const reads = ((await res.json()) as { reads: { plate: string; cameraId: string; state: string | null }[] }).reads;
          const hit = reads.find((r) => r.cameraId === 'sim-1');
          if (hit) return { k, hit };
        }
        return null;
      },
      'a simulated plate in /api/reads',
      120_000,
    );
    expect(found.hit.plate).toBe(found.k.plate);

    // Metrics come every 2 s: wait for one sent after that read.
    const metrics = await until(
      async () => {
        const text = await access.metrics(api);
        return /alpr_camera_reads\{camera="sim-1"\} [1-9]/.test(text) ? text : null;
      },
      'camera metrics with the read in /api/metrics',
      30_000,
    );
    for (const name of [
      'decoded_fps',
      'frames_inferred',
      'inference_ms_p50',
      'recognition_wait_ms_p50',
      'queue_depth',
      'frames_dropped',
      'reads_per_minute',
      'maintenance_flag',
    ]) {
      expect(metrics).toMatch(new RegExp(`alpr_camera_${name}\\{camera="sim-1"\\} `));
    }
  }, 300_000);
});
