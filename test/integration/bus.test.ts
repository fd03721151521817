import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  configSchema,
  decodeRead,
  ensureStreams,
  InvalidPayloadError,
  jetstream,
  publishRead,
  streams,
  type NatsConnection,
} from '../../contracts/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { startNats, type TestNats } from '../helpers/nats.ts';

const natsConfig = configSchema.parse({}).nats;
let nats: TestNats;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNats();
  nc = await nats.connect();
  await ensureStreams(nc, natsConfig);
});
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('typed JetStream helpers on a real nats-server', () => {
  it('creates the streams with their limits, and is idempotent', async () => {
    await ensureStreams(nc, { ...natsConfig, readsMaxAgeHours: 24 });
    const jsm = await jetstreamManager(nc);
    const reads = await jsm.streams.info(streams.reads);
    expect(reads.config.subjects).toEqual(['alpr.reads.>']);
    expect(reads.config.max_age).toBe(24 * 3600 * 1e9);
    expect(reads.config.discard).toBe('new');
    expect((await jsm.streams.info(streams.alerts)).config.subjects).toEqual(['alpr.alerts.>']);
  });

  it('publishes a valid read on its camera subject and stores it once despite a retry', async () => {
    const js = jetstream(nc);
    const read = makeRead({ cameraId: 'cam-bus' });
    const first = await publishRead(js, read);
    const retry = await publishRead(js, read);
    expect(retry.duplicate).toBe(true);
    expect(retry.seq).toBe(first.seq);
    const jsm = await jetstreamManager(nc);
    const msg = await jsm.streams.getMessage(streams.reads, { seq: first.seq });
    expect(msg!.subject).toBe('alpr.reads.cam-bus');
    expect(decodeRead(msg as never)).toMatchObject({ id: read.id, plate: read.plate });
  });

  it('refuses to publish an invalid read, naming every problem', async () => {
    const js = jetstream(nc);
    const err = await publishRead(js, makeRead({ plate: '', confidence: -1 })).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidPayloadError);
    expect(err.problems.join(' ')).toMatch(/plate/);
    expect(err.problems.join(' ')).toMatch(/confidence/);
  });

  it('refuses to decode a foreign message', () => {
    const msg = { subject: 'alpr.reads.x', data: new TextEncoder().encode('{"plate":1}') };
    expect(() => decodeRead(msg as never)).toThrow(InvalidPayloadError);
    expect(() => decodeRead({ subject: 'alpr.reads.x', data: new TextEncoder().encode('not json') } as never)).toThrow(/not JSON/);
  });
});
