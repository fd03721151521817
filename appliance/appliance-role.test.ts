import { describe, expect, it } from 'vitest';
import { configSchema, silentLogger, validateConfig } from '../contracts/index.ts';
import { applianceServices } from './appliance.ts';

const camera = { id: 'site-a-cam1', name: 'cam 1', url: 'rtsp://10.0.0.5/stream', deploymentRef: 'DEP-1', location: { lat: 30, lon: -84, description: 'site A, lane 1' } };

describe('appliance role', () => {
  it('runs everything by default', () => {
    expect(applianceServices(configSchema.parse({}), silentLogger).map((s) => s.name)).toEqual(['nats', 'core', 'matcher', 'camera:sim-1']);
  });

  it('runs only the camera workers at a cameras-only site, which publishes to its leaf NATS server', () => {
    const config = configSchema.parse({ role: 'cameras', nats: { embedded: false, urls: ['nats://127.0.0.1:4222'] }, cameras: [camera] });
    expect(applianceServices(config, silentLogger).map((s) => s.name)).toEqual(['camera:site-a-cam1']);
  });

  it('refuses a cameras-only site on an embedded nats-server', () => {
    const r = validateConfig({ role: 'cameras', cameras: [camera] });
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual(['role']);
  });
});
