import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { Logger } from './logger.ts';
import { subjects } from './subjects.ts';

/**
 * The store check (durability.readSpool, docs/durability.md): a camera worker asks the core which
 * of its spooled reads the store holds, on `alpr.store.check.<camera>`. The camera keeps a read
 * until it is confirmed here, and publishes it again when the store writer has caught up without it.
 */
export const storedCheckRequest = z.strictObject({
  reads: z.array(z.strictObject({ id: z.uuid(), plate: z.string().max(32), capturedAt: z.iso.datetime({ offset: true }) })).max(1000),
});
export type StoredCheckRequest = z.infer<typeof storedCheckRequest>;

export const storedCheckReply = z.strictObject({
  /** Ids found in the store (durably, when storeFsync is on), with the matcher and the alert store caught up behind them. */
  stored: z.array(z.string()),
  /** Ids in the store whose matching or alert storage is still behind: not lost, not yet confirmed. */
  found: z.array(z.string()),
  /** Ids the store will never hold (refused by the deployment gate): drop them from the spool. */
  settled: z.array(z.string()),
  /** The store writer has nothing pending: a read older than the check that is not stored was lost on the way. */
  writerCaughtUp: z.boolean(),
});
export type StoredCheckReply = z.infer<typeof storedCheckReply>;

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * The core's side: validates each check and answers with what `answer` finds. An invalid check is
 * ignored, and a failed answer is not sent, so the camera asks again.
 */
export function serveStoredCheck(
  nc: NatsConnection,
  answer: (req: StoredCheckRequest, cameraId: string) => Promise<StoredCheckReply>,
  logger: Logger,
): { unsubscribe(): void } {
  const sub = nc.subscribe(subjects.readsStoredCheck, {
    callback: (err, msg) => {
      if (err) return;
      void (async () => {
        let req: StoredCheckRequest;
        try {
          req = storedCheckRequest.parse(JSON.parse(dec.decode(msg.data)));
        } catch {
          logger.warn('invalid stored-read check ignored', { subject: msg.subject });
          return;
        }
        try {
          const reply = await answer(req, msg.subject.split('.').at(-1) ?? '');
          msg.respond(enc.encode(JSON.stringify(reply)));
        } catch (e) {
          logger.warn('stored-read check failed; the camera asks again', { err: e as Error });
        }
      })();
    },
  });
  return { unsubscribe: () => sub.unsubscribe() };
}

/** The camera's side: which of these reads the store holds (null when the core does not answer). */
export async function checkStored(
  nc: NatsConnection,
  cameraId: string,
  req: StoredCheckRequest,
  timeoutMs = 5000,
): Promise<StoredCheckReply | null> {
  try {
    const reply = await nc.request(subjects.readsStoredCheckFor(cameraId), enc.encode(JSON.stringify(req)), { timeout: timeoutMs });
    return storedCheckReply.parse(JSON.parse(dec.decode(reply.data)));
  } catch {
    return null;
  }
}
