import { connect, type NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { busConnectionOptions } from './bus.ts';
import type { AlprConfig } from './config.ts';
import { natsIdentities, subjects } from './subjects.ts';

/**
 * Audit verification over NATS, so that `alpr audit verify` works while the core holds the
 * embedded store. The answer carries only the chain's state (counts, head hash, first break),
 * never an entry's content. Only the core's NATS identity may answer it, and the CLI's only ask.
 */

/** The state of the anchors kept outside the store: line numbers, seqs and reasons, no entry's content. */
export const anchorCheckSchema = z.strictObject({
  ok: z.boolean(),
  /** False when there was no key to check with: the anchors say nothing then. */
  checked: z.boolean(),
  anchors: z.number().int().min(0),
  last: z.strictObject({ seq: z.number().int(), hash: z.string(), at: z.string() }).nullable(),
  problems: z.array(
    z.strictObject({
      line: z.number().int(),
      seq: z.number().int().nullable(),
      kind: z.enum(['unreadable', 'bad-mac', 'out-of-order', 'cut', 'replaced']),
      reason: z.string(),
    }),
  ),
  /** Problems beyond those listed. */
  moreProblems: z.number().int().min(0),
  note: z.string().nullable(),
});
export type AnchorCheck = z.infer<typeof anchorCheckSchema>;

export const auditVerifyReplySchema = z.strictObject({
  ok: z.boolean(),
  entries: z.number().int().min(0),
  head: z.strictObject({ seq: z.number().int(), hash: z.string() }).nullable(),
  firstBreak: z.strictObject({ seq: z.number().int(), reason: z.string() }).nullable(),
  anchors: anchorCheckSchema.optional(),
});
export type AuditVerifyReply = z.infer<typeof auditVerifyReplySchema>;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The core's side: answers with what `verify` finds, or with the error's first 200 characters. */
export function serveAuditVerify(nc: NatsConnection, verify: () => Promise<AuditVerifyReply>): { unsubscribe(): void } {
  const sub = nc.subscribe(subjects.auditVerify, {
    callback: (err, msg) => {
      if (err) return;
      verify().then(
        (r) => msg.respond(enc.encode(JSON.stringify(auditVerifyReplySchema.parse(r)))),
        (e: Error) => msg.respond(enc.encode(JSON.stringify({ error: e.message.slice(0, 200) }))),
      );
    },
  });
  return { unsubscribe: () => sub.unsubscribe() };
}

/** Asks a running core; null when no core answers (NATS down, or nothing subscribed). */
export async function requestAuditVerify(
  config: Pick<AlprConfig, 'dataDir' | 'nats'>,
  timeoutMs = 30_000,
): Promise<AuditVerifyReply | null> {
  // Missing credentials are the operator's to fix, so they are thrown; an unreachable server is "no core".
  const opts = busConnectionOptions(config, natsIdentities.cli);
  let nc: NatsConnection;
  try {
    nc = await connect({ ...opts, reconnect: false, timeout: 1000, name: 'alpr-cli' });
  } catch (err) {
    if (/authoriz|authenticat/i.test((err as Error).message))
      throw new Error(`NATS refused the CLI's credentials (${natsIdentities.cli}): ${(err as Error).message}`);
    return null;
  }
  try {
    const reply = await nc.request(subjects.auditVerify, undefined, { timeout: timeoutMs });
    const body = JSON.parse(dec.decode(reply.data)) as unknown;
    if (body && typeof body === 'object' && 'error' in body)
      throw new Error(`the core could not verify: ${String((body as { error: unknown }).error)}`);
    return auditVerifyReplySchema.parse(body);
  } catch (err) {
    if (/no responders|timeout/i.test((err as Error).message)) return null;
    throw err;
  } finally {
    await nc.close().catch(() => {});
  }
}
