import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api.ts';
import { AlertEvidence, vehicleText, zoomSize, ZOOM_MIN_HEIGHT_PX } from './evidence.svelte.ts';

const jpeg = () => new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xd9])], { type: 'image/jpeg' });
const old = new Date(Date.now() - 10 * 60_000).toISOString();

let ev: AlertEvidence | null = null;
afterEach(() => {
  ev?.dispose();
  ev = null;
  vi.unstubAllGlobals();
});

describe('zoomSize', () => {
  it('draws a plate crop at least three times its size and tall enough to read, within the screen', () => {
    expect(zoomSize(160, 48, 1200)).toEqual({ width: 480, height: 144 });
    // A small crop is blown up to the readable height.
    expect(zoomSize(60, 20, 1200)).toEqual({ width: 360, height: ZOOM_MIN_HEIGHT_PX });
    // A wide one stops at the screen's width.
    expect(zoomSize(400, 120, 1000)).toEqual({ width: 1000, height: 300 });
  });
});

describe('vehicleText', () => {
  it("writes the record's description on one line, or nothing", () => {
    expect(vehicleText({ make: 'HOND', model: 'CIV', style: '4D', colour: 'BLU', year: '2019' })).toBe('2019 HOND CIV 4D BLU');
    expect(vehicleText({ make: null, model: null, style: null, colour: 'RED', year: null })).toBe('RED');
    expect(vehicleText({ make: null, model: null, style: null, colour: null, year: null })).toBeNull();
    expect(vehicleText(null)).toBeNull();
  });
});

describe('AlertEvidence', () => {
  it("fetches the alert's own images with no case, and notes a vehicle image that is not there", async () => {
    const api = fakeApi({ 'GET /api/alerts/a1/image': { blob: jpeg() } });
    ev = new AlertEvidence('a1', old);
    await ev.load();
    expect(ev.plate).toMatch(/^blob:/);
    expect(ev.vehicle).toBe('none');
    expect(ev.error).toBeNull();
    const call = api.last('/api/alerts/a1/image')!;
    expect(call.query.get('view')).toBeNull();
    expect(call.headers.get('x-alpr-case')).toBeNull();
    expect(api.last('/api/alerts/a1/vehicle-image')).toBeDefined();
  });

  it('is readable only once the enlarged image, asked for as such, is drawn at a readable size', async () => {
    const api = fakeApi({ 'GET /api/alerts/a1/image': { blob: jpeg() }, 'GET /api/alerts/a1/vehicle-image': { blob: jpeg() } });
    ev = new AlertEvidence('a1', old);
    await ev.load();
    expect(ev.vehicle).toMatch(/^blob:/);
    expect(ev.readable).toBe(false);
    await ev.zoom();
    expect(ev.zoomOpen).toBe(true);
    expect(api.last('/api/alerts/a1/image')!.query.get('view')).toBe('zoom');
    ev.shown(40, 40); // drawn no bigger than stored: not enlarged
    expect(ev.readable).toBe(false);
    ev.shown(ZOOM_MIN_HEIGHT_PX, 40);
    expect(ev.readable).toBe(true);
    ev.closeZoom();
    expect(ev.readable).toBe(true);
  });

  it('says why when the appliance refuses an image (an alert that is history)', async () => {
    fakeApi({ 'GET /api/alerts/a1/image': { status: 403, json: { error: 'this alert was raised more than 24 h ago' } } });
    ev = new AlertEvidence('a1', old);
    await ev.load();
    expect(ev.plate).toBe('error');
    expect(ev.refusal).toContain('raised more than 24 h ago');
    expect(ev.error).toBeNull();
  });

  it('offers the read image routes under a case where the alert route refuses (a role that does not work alerts)', async () => {
    const api = fakeApi({
      'GET /api/alerts/a1/image': { status: 403, json: { error: 'your role (investigator) does not permit alert.image' } },
      'GET /api/alerts/a1/vehicle-image': { status: 403, json: { error: 'your role (investigator) does not permit alert.vehicle_image' } },
      'GET /api/reads/r1/image': (c) =>
        c.headers.get('x-alpr-case') === 'CASE-1'
          ? { blob: jpeg() }
          : { status: 403, json: { error: 'case "NOPE" is not in the case registry' } },
    });
    ev = new AlertEvidence('a1', old, 'r1');
    await ev.load();
    expect(ev.refusal).toContain('does not permit alert.image');
    expect(ev.error).toBeNull();
    await ev.withCase({ caseRef: 'NOPE', purpose: 'review of alert a1' });
    expect([ev.plate, ev.caseContext, ev.error]).toEqual(['error', null, 'case "NOPE" is not in the case registry']);
    expect(ev.refusal).not.toBeNull();
    await ev.withCase({ caseRef: 'CASE-1', purpose: 'review of alert a1' });
    expect(ev.plate).toMatch(/^blob:/);
    expect(ev.vehicle).toBe('none');
    expect(ev.refusal).toBeNull();
    expect(api.last('/api/reads/r1/image')!.headers.get('x-alpr-purpose')).toBe('review of alert a1');
    await ev.zoom();
    expect(ev.zoomed).toBe(ev.plate);
  });
});
