import { z } from 'zod';

/**
 * One entry of the audit log (guidelines 5e, 6c, 7a, 7c): who did what, when, why, and how it
 * ended. Every part that lets a person see or change data appends one through an AuditSink.
 */
export const auditEventSchema = z.strictObject({
  actor: z.string().min(1).describe('User name, service account, or "anonymous".'),
  action: z.string().min(1).describe('Dotted verb, e.g. reads.search, image.view, login.failure, hotlist.import.'),
  target: z.string().nullable().default(null).describe('What was acted on (read id, user, hotlist version…).'),
  query: z.unknown().optional().describe('The query itself, as submitted.'),
  caseRef: z.string().nullable().default(null).describe('Case number or case name given for the access.'),
  purpose: z.string().nullable().default(null).describe('Purpose given for the access.'),
  outcome: z.enum(['ok', 'denied', 'error']),
  detail: z.string().nullable().default(null).describe('Why denied, or what failed.'),
  ip: z.string().nullable().default(null),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;
export type AuditEventInput = z.input<typeof auditEventSchema>;

/** Where audit entries go. Appending must not fail silently: callers await it. */
export interface AuditSink {
  append(event: AuditEventInput): Promise<void>;
}
