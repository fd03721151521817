import { describe, expect, it } from 'vitest';
import {
  cameraReader,
  cameraSource,
  configSchema,
  DEFAULT_PLATE_READER,
  pinBudgetBytes,
  recognitionSlots,
  validateConfig,
} from './config.ts';

const camera = {
  id: 'cam-1',
  name: 'US-27 northbound',
  url: 'rtsp://10.0.0.5:554/stream1',
  location: { lat: 30.44, lon: -84.28, description: 'US-27 at Capital Circle' },
  deploymentRef: 'DEP-2026-001',
};

describe('config schema', () => {
  it('runs on safe defaults with no file at all', () => {
    const r = validateConfig(undefined);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.server.host).toBe('127.0.0.1');
    expect(r.config.nats.host).toBe('127.0.0.1');
    expect(r.config.nats.embedded).toBe(true);
    expect(r.config.storage).toEqual({ kind: 'embedded', pinSearchTablesMiB: 'auto' });
    expect(pinBudgetBytes(r.config.storage, 16 * 1024 ** 3)).toBe(4 * 1024 ** 3);
    expect(pinBudgetBytes({ kind: 'embedded', pinSearchTablesMiB: 0 }, 16 * 1024 ** 3)).toBe(0);
    expect(r.config.retention).toEqual({ tacticalDays: 30, holdMaxYears: 3 });
  });

  it('reports every problem at once, unknown keys included', () => {
    const r = validateConfig({
      cameras: [{ ...camera, id: 'Bad Id', url: 'http://x', extra: true }],
      server: { port: 'eighty' },
      retention: { holdMaxYears: 5 },
      colour: 'blue',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['cameras.0.id', 'cameras.0.url', 'cameras.0', 'server.port', 'retention.holdMaxYears', '(root)']),
    );
    expect(r.problems.find((p) => p.path === '(root)')?.message).toContain('colour');
    expect(r.problems.find((p) => p.path === 'cameras.0')?.message).toContain('extra');
  });

  it('never allows retention above the statutory maximum', () => {
    expect(validateConfig({ retention: { holdMaxYears: 4 } }).ok).toBe(false);
    expect(validateConfig({ retention: { tacticalDays: 365 * 3 + 1 } }).ok).toBe(false);
    expect(validateConfig({ retention: { tacticalDays: 14, holdMaxYears: 2 } }).ok).toBe(true);
  });

  it("names one appliance time zone, checked like the duty hours' zone, which follows it unless set", () => {
    expect(configSchema.parse({}).site.timeZone).toBe('America/New_York');
    expect(configSchema.parse({}).access.dutyHours.timeZone).toBeUndefined();
    expect(configSchema.parse({ site: { timeZone: 'America/Chicago' } }).site.timeZone).toBe('America/Chicago');
    const r = validateConfig({ site: { timeZone: 'Florida/Tallahassee' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([{ path: 'site.timeZone', message: 'an IANA time zone, e.g. America/New_York' }]);
  });

  it('rejects duplicate camera ids and external NATS without URLs', () => {
    const r = validateConfig({ cameras: [camera, camera], nats: { embedded: false } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['cameras.1.id', 'nats.urls']));
  });

  it('leaves a core to decoding unless told how many reads may run at once', () => {
    const auto = configSchema.parse({});
    expect(recognitionSlots(auto, 2)).toBe(1);
    expect(recognitionSlots(auto, 1)).toBe(1);
    expect(recognitionSlots(auto, 16)).toBe(15);
    expect(recognitionSlots(configSchema.parse({ recognition: { slots: 3 } }), 2)).toBe(3);
    expect(validateConfig({ recognition: { slots: -1 } }).ok).toBe(false);
    expect(validateConfig({ recognition: { slotz: 2 } }).ok).toBe(false);
  });

  it('chooses the reader per appliance, overridden per camera, among the readers that exist', () => {
    const cfg = configSchema.parse({
      recognition: { reader: 'platedet-ppocr-v1' },
      cameras: [camera, { ...camera, id: 'cam-2', reader: 'ppocr-v4-baseline' }],
    });
    expect(cfg.cameras.map((c) => cameraReader(cfg, c))).toEqual(['platedet-ppocr-v1', 'ppocr-v4-baseline']);
    // Unconfigured, the appliance keeps the reader it has always used.
    const plain = configSchema.parse({ cameras: [camera] });
    expect(cameraReader(plain, plain.cameras[0]!)).toBe(DEFAULT_PLATE_READER);
    const r = validateConfig({ recognition: { reader: 'tesseract' }, cameras: [{ ...camera, reader: 'platerec-v2' }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path).sort()).toEqual(['cameras.0.reader', 'recognition.reader']);
  });

  it('takes a camera source, or url as the RTSP one, never both and never neither', () => {
    const viaUrl = configSchema.parse({ cameras: [camera] }).cameras[0]!;
    expect(cameraSource(viaUrl)).toEqual({ kind: 'rtsp', url: camera.url, transport: 'tcp' });
    const { url: _url, ...noUrl } = camera;
    const viaSource = configSchema.parse({ cameras: [{ ...noUrl, source: { kind: 'rtsp', url: camera.url, transport: 'udp' } }] })
      .cameras[0]!;
    expect(cameraSource(viaSource)).toEqual({ kind: 'rtsp', url: camera.url, transport: 'udp' });
    const file = configSchema.parse({ cameras: [{ ...noUrl, source: { kind: 'file', path: '/srv/clips/lane1.mp4' } }] }).cameras[0]!;
    expect(cameraSource(file)).toEqual({ kind: 'file', path: '/srv/clips/lane1.mp4' });
    const problems = (cam: unknown) => {
      const r = validateConfig({ cameras: [cam] });
      return r.ok ? [] : r.problems.map((p) => p.path);
    };
    expect(problems(noUrl)).toEqual(['cameras.0.url']);
    // With the camera's other problems, not instead of them.
    expect(problems({ ...noUrl, id: 'Bad Id' }).sort()).toEqual(['cameras.0.id', 'cameras.0.url']);
    expect(problems({ ...camera, source: { kind: 'file', path: '/x.mp4' } })).toEqual(['cameras.0.source']);
    expect(problems({ ...noUrl, transport: 'udp', source: { kind: 'file', path: '/x.mp4' } })).toEqual(['cameras.0.transport']);
    expect(problems({ ...noUrl, source: { kind: 'mjpeg', url: 'http://cam/video' } })).toEqual(['cameras.0.source.kind']);
    expect(problems({ ...noUrl, source: { kind: 'rtsp', url: 'http://cam/video' } })).toEqual(['cameras.0.source.url']);
    expect(problems({ ...noUrl, source: { kind: 'file', path: '/x.mp4', loop: true } })).toEqual(['cameras.0.source']);
  });

  it('takes a remote ClickHouse with credentials', () => {
    const r = validateConfig({ storage: { kind: 'remote', url: 'https://ch.example:8443', username: 'alpr', password: 's' } });
    expect(r.ok && r.config.storage).toEqual({
      kind: 'remote',
      url: 'https://ch.example:8443',
      username: 'alpr',
      password: 's',
      database: 'alpr',
    });
  });

  it('describes every field', () => {
    const undocumented: string[] = [];
    const walk = (schema: unknown, path: string) => {
      const s = schema as {
        description?: string;
        def?: { type: string; shape?: Record<string, unknown>; innerType?: unknown; element?: unknown; options?: unknown[] };
      };
      const def = s.def!;
      if (def.type === 'default' || def.type === 'optional') return walk(def.innerType, path);
      if (def.type === 'array') return walk(def.element, `${path}[]`);
      if (def.type === 'union') return def.options!.forEach((o, i) => walk(o, `${path}|${i}`));
      if (def.type === 'object') {
        for (const [k, v] of Object.entries(def.shape!)) {
          const child = v as { description?: string; def: { innerType?: { description?: string } } };
          if (!child.description && !child.def.innerType?.description) undocumented.push(`${path}.${k}`);
          walk(v, `${path}.${k}`);
        }
      }
    };
    walk(configSchema, '');
    expect(undocumented.length + Object.keys(configSchema.shape).length).toBeGreaterThan(8);
    expect(undocumented).toEqual([]);
  });
});

describe('settings that would make the appliance unsafe are refused, with the reason', () => {
  const problemsOf = (doc: unknown) => {
    const r = validateConfig(doc);
    return r.ok ? [] : r.problems;
  };
  const tls = { certFile: '/etc/alpr/api.pem', keyFile: '/etc/alpr/api.key' };

  it("refuses a lockout above CJIS's five attempts, and accepts five or fewer", () => {
    const problems = problemsOf({ access: { lockoutAttempts: 6 } });
    expect(problems).toEqual([{ path: 'access.lockoutAttempts', message: expect.stringMatching(/at most 5: the CJIS Security Policy/) }]);
    expect(validateConfig({ access: { lockoutAttempts: 5 } }).ok).toBe(true);
    // Fewer is stricter, with an address's failure budget below it (access.throttle).
    expect(validateConfig({ access: { lockoutAttempts: 3, throttle: { addressFailures: 2 } } }).ok).toBe(true);
  });

  it('refuses the API off loopback without TLS, unless a TLS proxy fronts it', () => {
    for (const host of ['0.0.0.0', '::', '10.20.0.5', 'alpr.example']) {
      const problems = problemsOf({ server: { host } });
      expect(problems.map((p) => p.path)).toEqual(['server.tls']);
      expect(problems[0]!.message).toContain(`listens on ${host}, off loopback, without TLS`);
      expect(validateConfig({ server: { host, tls } }).ok).toBe(true);
      expect(validateConfig({ server: { host, behindTlsProxy: true } }).ok).toBe(true);
    }
    for (const host of ['127.0.0.1', '127.0.1.1', '::1', 'localhost']) expect(validateConfig({ server: { host } }).ok).toBe(true);
  });

  it('refuses a cookie without Secure once the API is reached over the network, proxy or not', () => {
    expect(validateConfig({ access: { cookieSecure: false } }).ok).toBe(true); // a bench on loopback
    const offBox = problemsOf({ server: { host: '0.0.0.0', tls }, access: { cookieSecure: false } });
    expect(offBox).toEqual([
      { path: 'access.cookieSecure', message: expect.stringMatching(/must stay true .*server.host 0.0.0.0.*plain HTTP/) },
    ]);
    const proxied = problemsOf({ server: { host: '127.0.0.1', behindTlsProxy: true }, access: { cookieSecure: false } });
    expect(proxied).toEqual([{ path: 'access.cookieSecure', message: expect.stringMatching(/behind a TLS proxy/) }]);
    // Both at once: each refusal is listed.
    expect(
      problemsOf({ server: { host: '0.0.0.0' }, access: { cookieSecure: false, lockoutAttempts: 10 } })
        .map((p) => p.path)
        .sort(),
    ).toEqual(['access.cookieSecure', 'access.lockoutAttempts', 'server.tls']);
  });

  it('anchors the audit log every few minutes with a key from the environment or the data directory', () => {
    const r = validateConfig({});
    expect(r.ok && r.config.access.auditAnchor).toEqual({ intervalMinutes: 5, keyEnv: 'ALPR_AUDIT_ANCHOR_KEY' });
    expect(
      problemsOf({ access: { auditAnchor: { intervalMinutes: 0, keyEnv: 'lower', syslog: { host: 'siem.example', port: 70000 } } } })
        .map((p) => p.path)
        .sort(),
    ).toEqual(['access.auditAnchor.intervalMinutes', 'access.auditAnchor.keyEnv', 'access.auditAnchor.syslog.port']);
  });
});
