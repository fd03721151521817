import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configSchema,
  createJsonLogger,
  jetstream,
  publishRead,
  requestAuditVerify,
  validateConfig,
  type NatsConnection,
} from '../../contracts/index.ts';
import { startCore } from '../../appliance/index.ts';
import type { RunningService } from '../../appliance/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { startNats, tempDir, type TestNats } from '../helpers/nats.ts';
import { bootstrapAccess, setupTokenFrom, type AccessFixture } from '../helpers/access.ts';
import { until } from '../helpers/wait.ts';

/** The core as the appliance runs it: deployment gate on ingest, setup link, audit over NATS. */
let nats: TestNats;
let nc: NatsConnection;
let core: RunningService;
let base: string;
let dataDir: string;
let access: AccessFixture;
let logs = '';

beforeAll(async () => {
  nats = await startNats();
  nc = await nats.connect();
  dataDir = tempDir('core-access');
  const r = validateConfig({ dataDir, nats: nats.natsConfig, server: { port: 0 }, access: { scrypt: { cost: 1024 } } });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  core = await startCore(r.config, createJsonLogger({ level: 'info', write: (line) => (logs += line + '\n') }));
  base = core.info.url as string;
  access = await bootstrapAccess(base, setupTokenFrom(logs)!, ['cam-ok']);
});
afterAll(async () => {
  await core?.stop();
  await nc?.close();
  await nats?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the core with access control', () => {
  it('printed a one-time setup link that works once', async () => {
    expect(logs).toMatch(/"setupUrl":"http:\/\/127\.0\.0\.1:\d+\/setup#/);
    const again = await fetch(`${base}/api/setup/begin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: setupTokenFrom(logs) }),
    });
    expect(again.status).toBe(401);
  });

  it('stores reads of an authorised camera and refuses those of a camera without authorisation, visibly', async () => {
    const ok = makeRead({ cameraId: 'cam-ok', plate: 'OK1234' });
    const rogue = makeRead({ cameraId: 'cam-rogue', plate: 'RG1234' });
    await publishRead(jetstream(nc), rogue);
    await publishRead(jetstream(nc), ok);
    const search = async (plate: string) =>
      ((await (await access.fetch(base, `/api/reads?plate=${plate}`)).json()) as { reads: { id: string }[] }).reads;
    await until(async () => ((await search('OK1234')).length ? true : undefined));
    const metrics = await access.metrics(base);
    expect(metrics).toMatch(/alpr_reads_refused_unauthorised_total 1\b/);
    expect(await search('RG1234')).toEqual([]);
    const health = (await (await access.health(base)).json()) as { status: string; authorisations: unknown[] };
    expect(health.status).toBe('degraded');
    expect(health.authorisations).toEqual([
      { cameraId: 'cam-rogue', deploymentRef: null, authorised: false, deploymentId: null, refused: 1 },
    ]);
    expect(logs).toMatch(/read refused: camera not authorised.*"cameraId":"cam-rogue"/);
  });

  it('keeps the audit log from administrators and answers verification over NATS', async () => {
    const res = await access.fetch(base, '/api/audit?action=config.loaded', { headers: access.admin.headers() });
    expect(res.status).toBe(403); // the administrator does not read the audit log: auditors do
    const verdict = await requestAuditVerify({ dataDir, nats: configSchema.parse({ nats: nats.natsConfig }).nats });
    expect(verdict).toMatchObject({ ok: true, firstBreak: null });
    expect(verdict!.entries).toBeGreaterThan(5);
  });
});
