import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, jetstream, publishRead, requestAuditVerify, type NatsConnection } from '../../contracts/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { setupTokenFrom, type AccessFixture } from '../helpers/access.ts';
import { startTestCore, type TestCore } from '../helpers/core.ts';
import { until } from '../helpers/wait.ts';

/** The core as the appliance runs it: deployment gate on ingest, setup link, audit over NATS. */
let running: TestCore;
let nc: NatsConnection;
let base: string;
let access: AccessFixture;
const logs = () => running.logs();

beforeAll(async () => {
  running = await startTestCore({
    name: 'core-access',
    cameras: ['cam-ok'],
    config: { access: { scrypt: { cost: 1024 } } },
    logLevel: 'info',
  });
  ({ nc, base, access } = running);
});
afterAll(() => running?.stop());

describe('the core with access control', () => {
  it('printed a one-time setup link that works once', async () => {
    expect(logs()).toMatch(/"setupUrl":"http:\/\/127\.0\.0\.1:\d+\/setup#/);
    const again = await fetch(`${base}/api/setup/begin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: setupTokenFrom(logs()) }),
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
    expect(logs()).toMatch(/read refused: camera not authorised.*"cameraId":"cam-rogue"/);
  });

  it('keeps the audit log from administrators and answers verification over NATS', async () => {
    const res = await access.fetch(base, '/api/audit?action=config.loaded', { headers: access.admin.headers() });
    expect(res.status).toBe(403); // the administrator does not read the audit log: auditors do
    const verdict = await requestAuditVerify({
      dataDir: running.dataDir,
      nats: configSchema.parse({ nats: running.nats.natsConfig }).nats,
    });
    expect(verdict).toMatchObject({ ok: true, firstBreak: null });
    expect(verdict!.entries).toBeGreaterThan(5);
  });
});
