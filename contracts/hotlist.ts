import { z } from 'zod';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { InvalidPayloadError } from './errors.ts';

/**
 * How a hotlist version travels from the core (which imports it) to the matcher (which
 * holds it in memory). The compiled version is an object in the HOTLISTS object store; the
 * KV bucket HOTLIST_ACTIVE holds, per source, a pointer to the active version. Publishing a
 * version is: put the object, then put the pointer. The matcher watches the pointers (last
 * value first, so it starts on the active versions after any restart), loads the object,
 * checks its checksum and swaps the whole list at once; until then it keeps the old one.
 */
export const hotlistBuckets = {
  objects: 'HOTLISTS',
  active: 'HOTLIST_ACTIVE',
} as const;

/** Durable consumer of the ALERTS stream that stores alerts (in the core). */
export const alertStoreConsumer = 'alert-store';

export const activeVersionSchema = z.strictObject({
  source: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/),
  versionId: z.string().min(1).max(80),
  object: z.string().min(1).max(200).describe('Name of the compiled version in the HOTLISTS object store.'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('Checksum of the compiled object.'),
  recordCount: z.number().int().min(0),
  extractedAt: z.iso.datetime({ offset: true }).describe('When the extract was produced; staleness counts from here.'),
  activatedAt: z.iso.datetime({ offset: true }),
});
export type ActiveVersion = z.infer<typeof activeVersionSchema>;

export interface HotlistBuckets {
  kv: KV;
  os: ObjectStore;
}

/**
 * The hotlist buckets, replicated like the appliance's streams (`nats.replicas`): on a
 * three-node cluster losing a node must not lose the active extract or the pointer to it.
 */
export async function openHotlistBuckets(nc: NatsConnection, replicas = 1): Promise<HotlistBuckets> {
  const kv = await new Kvm(nc).create(hotlistBuckets.active, { history: 5, replicas });
  const os = await new Objm(nc).create(hotlistBuckets.objects, { replicas });
  return { kv, os };
}

/**
 * The same buckets for a reader (the matcher): binds to what the core created, with no right to
 * create or change them, which its NATS identity does not have (appliance/nats-auth.ts).
 */
export async function bindHotlistBuckets(nc: NatsConnection): Promise<HotlistBuckets> {
  const kv = await new Kvm(nc).open(hotlistBuckets.active);
  const os = await new Objm(nc).open(hotlistBuckets.objects);
  return { kv, os };
}

export function decodeActiveVersion(key: string, data: Uint8Array): ActiveVersion {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw new InvalidPayloadError(`${hotlistBuckets.active}.${key}`, ['not JSON']);
  }
  const r = activeVersionSchema.safeParse(value);
  if (!r.success)
    throw new InvalidPayloadError(
      `${hotlistBuckets.active}.${key}`,
      r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  return r.data;
}

/** Points the matcher at a version whose object is already stored. */
export async function putActiveVersion(kv: KV, v: ActiveVersion): Promise<void> {
  const valid = activeVersionSchema.parse(v);
  await kv.put(valid.source, JSON.stringify(valid));
}
