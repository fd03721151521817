import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../contracts/index.ts';
import { silentLogger } from '../../contracts/index.ts';
import { createAuditAnchoring, withAnchoredVerify, type Anchor, type AuditAnchoring, type AuditLog } from '../../access/index.ts';
import { ANCHOR_KEY_FILE } from '../../access/anchor.ts';
import { syslogAnchorSink, webhookAnchorSink } from '../../access/anchor-sinks.ts';
import { createAuditLog } from '../../access/index.ts';
import { seal } from '../../access/chain.ts';
import { startTestStore } from '../helpers/store.ts';
import { tempDir } from '../helpers/nats.ts';
import { addUser, buildApp, signIn, testClock } from './helpers.ts';

/**
 * The audit log anchored outside the store (issue 30, point 12), against the real engine: the
 * chain alone verifies after its end is cut, the anchors do not let that pass; a forged anchor
 * and a rewritten (and re-chained) log are reported too. The sinks are a real HTTP receiver and a
 * real UDP syslog socket. The tests of a describe run in order on one log.
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
let hook: Server;
let hookUrl: string;
const posted: { body: string; signature: string }[] = [];
let syslog: Socket;
const datagrams: string[] = [];

beforeAll(async () => {
  store = await startTestStore();
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posted.push({ body, signature: String(req.headers['x-alpr-signature']) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  syslog = createSocket('udp4');
  syslog.on('message', (m) => datagrams.push(m.toString()));
  await new Promise<void>((r) => syslog.bind(0, '127.0.0.1', r));
});
afterAll(async () => {
  await new Promise((r) => hook.close(r));
  syslog.close();
  await store.stop();
});

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
};
const entry = (n: number) => ({
  actor: `user-${n}`,
  action: 'reads.search',
  caseRef: '24-0031',
  purpose: 'locate vehicle',
  outcome: 'ok' as const,
  query: { plate: `ABC${n}` },
});
const anchorLines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');

describe('the audit report', () => {
  it("anchors the head it reports on and carries the anchor and the anchors' state", async () => {
    const clock = testClock();
    const dataDir = tempDir('anchor-report');
    const { app, access } = buildApp(store.client, {}, clock, { anchor: { dataDir, siteId: 'site-1', env: {} } });
    const auditor = await signIn({ app, access, clock }, await addUser(store.client, clock.now(), { username: 'aud', roles: ['auditor'] }));
    const res = await app.request('/api/reports/audit', { headers: auditor.headers() });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { anchor: Anchor; chain: { ok: boolean; anchors: { ok: boolean; last: { seq: number } } } };
    const head = (await access.audit.head())!;
    expect(report.anchor).toMatchObject({
      seq: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      mac: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(report.anchor.seq).toBeLessThanOrEqual(head.seq);
    expect((await access.audit.hashesAt([report.anchor.seq])).get(report.anchor.seq)).toEqual([report.anchor.hash]);
    expect(report.chain).toMatchObject({ ok: true, anchors: { ok: true, last: { seq: report.anchor.seq } } });
    expect(anchorLines(access.anchoring!.file).map((l) => JSON.parse(l).seq)).toContain(report.anchor.seq);
    const html = await (await app.request('/api/reports/audit?format=html', { headers: auditor.headers() })).text();
    expect(html).toContain('Anchored head (keep this copy)');
    await access.anchoring!.stop();
  });
});

describe('anchored audit log', () => {
  let dataDir: string;
  let chain: AuditLog;
  let anchored: AuditLog;
  let anchoring: AuditAnchoring;
  let first: Anchor;
  /** Entries the report test wrote before: seqs here are counted from it. */
  let base: number;

  beforeAll(async () => {
    dataDir = tempDir('anchor');
    chain = createAuditLog({ client: store.client });
    anchoring = createAuditAnchoring({
      audit: chain,
      dataDir,
      keyEnv: 'ALPR_TEST_ANCHOR_KEY',
      env: {},
      createKey: true,
      logger: silentLogger,
      sinks: [
        webhookAnchorSink({ url: hookUrl, secret: 'hook-secret', maxAttempts: 3, timeoutMs: 2000, siteId: 'site-9', logger: silentLogger }),
        syslogAnchorSink({ host: '127.0.0.1', port: (syslog.address() as AddressInfo).port, siteId: 'site-9', logger: silentLogger }),
      ],
    });
    anchored = withAnchoredVerify(chain, anchoring);
    base = (await chain.head())?.seq ?? 0;
  });

  it('anchors the head with a key generated outside the store, mode 0600, and sends it to the webhook and syslog', async () => {
    for (let i = 1; i <= 5; i++) await chain.append(entry(i));
    first = (await anchoring.anchorNow())!;
    expect(first).toMatchObject({ seq: base + 5, hash: (await chain.head())!.hash });
    expect(statSync(path.join(dataDir, ANCHOR_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(anchorLines(anchoring.file).map((l) => JSON.parse(l))).toEqual([first]);
    // Nothing moved: no second line.
    expect(await anchoring.anchorNow()).toEqual(first);
    expect(anchorLines(anchoring.file)).toHaveLength(1);

    await until(() => posted.length === 1 && datagrams.length === 1, 'the sinks');
    const { body, signature } = posted[0]!;
    expect(JSON.parse(body)).toEqual({ type: 'audit.anchor', siteId: 'site-9', anchor: first });
    const t = Number(/t=(\d+)/.exec(signature)![1]);
    expect(signature).toBe(signWebhook('hook-secret', body, t));
    expect(datagrams[0]).toMatch(/^<110>1 \S+ \S+ alpr - audit\.anchor - /);
    expect(JSON.parse(datagrams[0]!.slice(datagrams[0]!.indexOf('{')))).toEqual({ type: 'audit.anchor', siteId: 'site-9', anchor: first });

    const ok = await anchored.verify();
    expect(ok).toMatchObject({
      ok: true,
      entries: base + 5,
      firstBreak: null,
      anchors: { ok: true, checked: true, anchors: 1, problems: [], last: { seq: base + 5 } },
    });
  });

  it('reports the cut when rows after an anchored head are deleted, which the chain alone lets pass', async () => {
    for (let i = 6; i <= 8; i++) await chain.append(entry(i));
    expect((await anchoring.anchorNow())!.seq).toBe(base + 8);
    await store.client.command({ query: `ALTER TABLE audit_log DELETE WHERE seq > ${base + 6} SETTINGS mutations_sync = 1` });

    expect(await chain.verify()).toMatchObject({ ok: true, entries: base + 6 }); // the hole this closes
    const cut = await anchored.verify();
    expect(cut.ok).toBe(false);
    expect(cut.firstBreak).toBeNull();
    expect(cut.anchors!.problems).toEqual([
      {
        line: 2,
        seq: base + 8,
        kind: 'cut',
        reason: expect.stringMatching(
          new RegExp(`^the log's end was cut: it ends at entry ${base + 6}, but entry ${base + 8} was anchored at `),
        ),
      },
    ]);

    // The log goes on over the cut: the anchored entry 8 is now another one.
    await chain.append(entry(70));
    await chain.append(entry(80));
    const replaced = await anchored.verify();
    expect(replaced.anchors!.problems).toEqual([
      {
        line: 2,
        seq: base + 8,
        kind: 'replaced',
        reason: expect.stringMatching(
          new RegExp(`entry ${base + 8} is not the entry anchored at .*: it was rewritten, or the log was cut`),
        ),
      },
    ]);
    // Anchoring the new head adds a genuine anchor; the evidence of the earlier one stays.
    expect((await anchoring.anchorNow())!.seq).toBe(base + 8);
    expect((await anchored.verify()).anchors!.problems.map((p) => `${p.line}:${p.kind}`)).toEqual(['2:replaced']);
  });

  it('reports a forged anchor (bad MAC) and an anchor removed from the file', async () => {
    const lines = anchorLines(anchoring.file);
    const good = readFileSync(anchoring.file, 'utf8');
    const forged = { ...JSON.parse(lines[1]!), seq: base + 6, hash: (await chain.hashesAt([base + 6])).get(base + 6)![0] };
    writeFileSync(anchoring.file, [lines[0], JSON.stringify(forged), lines[2], 'not json'].join('\n') + '\n');
    const r = await anchored.verify();
    expect(r.ok).toBe(false);
    expect(r.anchors!.problems.map((p) => [p.line, p.kind])).toEqual([
      [2, 'bad-mac'],
      [3, 'out-of-order'],
      [4, 'unreadable'],
    ]);
    expect(r.anchors!.problems[0]!.reason).toContain(`line 2 (entry ${base + 6}) has a MAC that does not match: it was forged or altered`);
    expect(r.anchors!.problems[1]!.reason).toMatch(/anchors were removed/);
    writeFileSync(anchoring.file, good);
  });

  it('reports a rewritten row, and a rewrite that re-chains every later entry', async () => {
    const rows = await chain.list({ afterSeq: base + 1, limit: 1000 });
    // Entry 3 re-sealed with another actor and every later entry re-chained: a chain that verifies.
    const forged = [];
    let prev = rows[0]!;
    for (const e of rows.slice(1)) {
      const { seq: _s, prevHash: _p, hash: _h, ...fields } = e;
      const next = seal({ ...fields, actor: e.seq === base + 3 ? 'someone-else' : e.actor }, { seq: prev.seq, hash: prev.hash });
      forged.push(next);
      prev = next;
    }
    await store.client.command({ query: `ALTER TABLE audit_log DELETE WHERE seq >= ${base + 3} SETTINGS mutations_sync = 1` });
    await store.client.insert({
      table: 'audit_log',
      format: 'JSONEachRow',
      values: forged.map((e) => ({
        seq: e.seq,
        at: e.atMs,
        actor: e.actor,
        action: e.action,
        target: e.target,
        query: e.query,
        case_ref: e.caseRef,
        purpose: e.purpose,
        outcome: e.outcome,
        detail: e.detail,
        ip: e.ip,
        prev_hash: e.prevHash,
        hash: e.hash,
      })),
    });
    expect((await chain.verify()).ok).toBe(true);
    const r = await anchored.verify();
    expect(r.anchors!.problems.map((p) => `${p.line}:${p.seq}:${p.kind}`)).toEqual([
      `1:${base + 5}:replaced`,
      `2:${base + 8}:replaced`,
      `3:${base + 8}:replaced`,
    ]);

    // A row changed in place (no re-chaining): the chain names it as before.
    await store.client.command({
      query: `ALTER TABLE audit_log UPDATE detail = 'nothing to see' WHERE seq = ${base + 4} SETTINGS mutations_sync = 1`,
    });
    expect((await anchored.verify()).firstBreak).toMatchObject({ seq: base + 4, reason: expect.stringMatching(/altered/) });
  });

  it('refuses a key file others can read, and a malformed key in the environment', async () => {
    const other = tempDir('anchor-key');
    const loose = createAuditAnchoring({ audit: chain, dataDir: other, keyEnv: 'K', env: {}, createKey: true, logger: silentLogger });
    await loose.anchorNow();
    const keyFile = path.join(other, ANCHOR_KEY_FILE);
    const { chmodSync } = await import('node:fs');
    chmodSync(keyFile, 0o644);
    const again = createAuditAnchoring({ audit: chain, dataDir: other, keyEnv: 'K', env: {}, createKey: true, logger: silentLogger });
    await expect(again.anchorNow()).rejects.toThrow(/readable by others \(mode 644\): chmod 600/);
    const badEnv = createAuditAnchoring({
      audit: chain,
      dataDir: other,
      keyEnv: 'K',
      env: { K: 'abc' },
      createKey: true,
      logger: silentLogger,
    });
    await expect(badEnv.check()).rejects.toThrow(/K must hold at least 64 hex digits/);
    // A key from the environment writes no key file, and anchors check with it.
    const envDir = tempDir('anchor-env');
    const env = { K: 'ab'.repeat(32) };
    const fromEnv = createAuditAnchoring({ audit: chain, dataDir: envDir, keyEnv: 'K', env, createKey: true, logger: silentLogger });
    await fromEnv.anchorNow();
    expect(() => statSync(path.join(envDir, ANCHOR_KEY_FILE))).toThrow();
    expect((await fromEnv.check()).problems).toEqual([]);
    // Without the key, the same anchors cannot be checked, and say so.
    const keyless = await createAuditAnchoring({
      audit: chain,
      dataDir: envDir,
      keyEnv: 'K',
      env: {},
      createKey: false,
      logger: silentLogger,
    }).check();
    expect(keyless).toMatchObject({ ok: false, checked: false, anchors: 1, note: expect.stringMatching(/cannot be checked/) });
  });
});
