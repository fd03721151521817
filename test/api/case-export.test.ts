import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, publishRead, type NatsConnection } from '../../contracts/index.ts';
import { ACCESS_CASE, designate, type AccessFixture } from '../helpers/access.ts';
import { startTestCore, type TestCore } from '../helpers/core.ts';
import { jpegBase64, makeRead } from '../helpers/reads.ts';
import { until } from '../helpers/wait.ts';

/**
 * The case file export (issue 31, point 7) through the real core, its access guard and audit:
 * the CSV keeps numbers as numbers while text formulas are defused, and the zip holds a
 * manifest, the CSV and the reads' JPEGs whose SHA-256 match the manifest.
 */
let running: TestCore;
let nc: NatsConnection;
let base: string;
let access: AccessFixture;
const api = (path: string, init?: RequestInit) => access.fetch(base, path, init);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const crops = [await jpegBase64(16, 8), await jpegBase64(24, 12)];
// A vehicle image, stored only where the agency's policy defines one (recognition.vehicleImage).
const vehicle = await jpegBase64(48, 40);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const reads = [
  makeRead({ cameraId: 'cam-case', plate: 'CSE 101', cropJpeg: crops[0], vehicleJpeg: vehicle, capturedAt: minutesAgo(3) }),
  makeRead({ cameraId: 'cam-case', plate: 'CSE 102', cropJpeg: crops[1], capturedAt: minutesAgo(2) }),
  // No image taken, and a location described with a formula: the CSV must defuse that text.
  makeRead({
    cameraId: 'cam-case',
    plate: 'CSE 103',
    capturedAt: minutesAgo(1),
    location: { lat: 30.4383, lon: -84.2807, description: '=HYPERLINK("http://x"), -1 lane' },
  }),
];

beforeAll(async () => {
  running = await startTestCore({ name: 'case-export', cameras: ['cam-case'] });
  ({ nc, base, access } = running);
  for (const read of reads) await publishRead(jetstream(nc), read);
  await until(
    async () => {
      const found = (await (await api('/api/reads?pattern=CSE10*')).json()) as { reads: unknown[] };
      return found.reads.length === reads.length;
    },
    { what: 'the three reads stored' },
  );
}, 120_000);

afterAll(() => running?.stop());

describe('case file export', () => {
  it('writes the CSV with numbers intact and text formulas defused', async () => {
    const res = await api('/api/reads/export.csv?pattern=CSE10*&order=oldest');
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    expect(lines).toHaveLength(4);
    const header = lines[0]!.split(',');
    for (const line of lines.slice(1, 3)) {
      const cells = line.split(','); // no quoted commas in these two rows
      expect(cells[header.indexOf('lat')]).toBe('30.4383');
      expect(cells[header.indexOf('lon')]).toBe('-84.2807');
      expect(cells[header.indexOf('confidence')]).toBe('0.93');
    }
    expect(lines.join('\n')).not.toContain("'-84");
    expect(lines[3]).toContain(`,30.4383,-84.2807,"'=HYPERLINK(""http://x""), -1 lane",`);
  });

  it('exports a zip with manifest.json, the CSV and the JPEGs (plate and vehicle), each file hashed in the manifest, and audits it under the case', async () => {
    const res = await api('/api/reads/export.zip?pattern=CSE10*&order=oldest');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="alpr-case-${ACCESS_CASE}-\\d{4}-\\d{2}-\\d{2}\\.zip"$`),
    );
    const zipBytes = new Uint8Array(await res.arrayBuffer());
    expect(res.headers.get('x-alpr-sha256')).toBe(sha256(zipBytes));
    const files = unzipSync(zipBytes);
    expect(Object.keys(files).sort()).toEqual(
      [
        `images/${reads[0]!.id}.jpg`,
        `images/${reads[0]!.id}-vehicle.jpg`,
        `images/${reads[1]!.id}.jpg`,
        'manifest.json',
        'reads.csv',
      ].sort(),
    );

    const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as {
      format: string;
      case: { caseRef: string; purpose: string };
      exportedBy: string;
      exportedAt: string;
      truncated: boolean;
      reads: {
        id: string;
        plate: string;
        location: { lon: number };
        image: string | null;
        imageSha256: string | null;
        vehicleImage: string | null;
        vehicleImageSha256: string | null;
      }[];
      files: { name: string; bytes: number; sha256: string }[];
    };
    expect(manifest).toMatchObject({
      format: 'alpr-case-file/1',
      case: { caseRef: ACCESS_CASE, purpose: 'integration test of the read path' },
      exportedBy: 'it-investigator',
      truncated: false,
    });
    expect(Date.now() - Date.parse(manifest.exportedAt)).toBeLessThan(60_000);
    expect(manifest.reads.map((r) => [r.id, r.plate, r.image])).toEqual([
      [reads[0]!.id, 'CSE 101', `images/${reads[0]!.id}.jpg`],
      [reads[1]!.id, 'CSE 102', `images/${reads[1]!.id}.jpg`],
      [reads[2]!.id, 'CSE 103', null],
    ]);
    expect(manifest.reads[0]!.location.lon).toBe(-84.2807);
    // Every file but the manifest is listed with its size and hash, and the hashes are those of the bytes in the zip.
    expect(manifest.files.map((f) => f.name).sort()).toEqual(
      Object.keys(files)
        .filter((n) => n !== 'manifest.json')
        .sort(),
    );
    for (const f of manifest.files) {
      expect(sha256(files[f.name]!), f.name).toBe(f.sha256);
      expect(files[f.name]!.length).toBe(f.bytes);
    }
    // The JPEGs are the crops the camera published, byte for byte.
    for (const [i, read] of reads.slice(0, 2).entries()) {
      const jpeg = files[`images/${read.id}.jpg`]!;
      expect(Buffer.from(jpeg).toString('base64')).toBe(crops[i]);
      expect(manifest.reads[i]!.imageSha256).toBe(sha256(jpeg));
    }
    const car = files[`images/${reads[0]!.id}-vehicle.jpg`]!;
    expect(Buffer.from(car).toString('base64')).toBe(vehicle);
    expect([manifest.reads[0]!.vehicleImage, manifest.reads[0]!.vehicleImageSha256]).toEqual([
      `images/${reads[0]!.id}-vehicle.jpg`,
      sha256(car),
    ]);
    expect(manifest.reads[1]!.vehicleImage).toBeNull();
    // The CSV inside names each image file; its numbers are numbers.
    const csv = strFromU8(files['reads.csv']!).trim().split('\n');
    expect(csv[1]).toMatch(new RegExp(`,30\\.4383,-84\\.2807,.*,images/${reads[0]!.id}\\.jpg$`));

    // Audited as an export under the case, with what left and the zip's hash (read by an auditor).
    const auditor = (await designate(base, access.admin, 'it-auditor', ['auditor'])).session;
    const audit = (await (await fetch(`${base}/api/audit?action=reads.export&limit=100`, { headers: auditor.headers() })).json()) as {
      entries: { action: string; actor: string; caseRef: string | null; detail: string | null; target: string }[];
    };
    const entry = audit.entries.find((e) => e.detail?.startsWith('case file:'));
    expect(entry).toMatchObject({
      action: 'reads.export',
      actor: 'it-investigator',
      caseRef: ACCESS_CASE,
      detail: `case file: 3 reads, 3 images, zip SHA-256 ${sha256(zipBytes)}`,
    });
  });

  it('refuses a bad search with a 400 and needs a case like every search', async () => {
    expect((await api('/api/reads/export.zip?pattern=*')).status).toBe(400);
    expect((await api('/api/reads/export.zip?pattern=CSE*&max=5000')).status).toBe(400);
    const noCase = await api('/api/reads/export.zip?pattern=CSE*', { headers: { 'x-alpr-case': '' } });
    expect(noCase.status).toBeGreaterThanOrEqual(400);
    expect(noCase.status).toBeLessThan(500);
  });
});
