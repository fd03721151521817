import { api, ok, type AuditReport, type Evaluation } from './api.ts';
import { toLocalInput } from './search.svelte.ts';
import { whileBusy } from './busy.ts';

export type AuditEntry = Awaited<ReturnType<typeof listAudit>>['entries'][number];
export type ChainState = Awaited<ReturnType<typeof verifyChain>>;
export type { AuditReport, Evaluation };

const listAudit = (query: Record<string, string>) => ok(api.api.audit.$get({ query }));
const verifyChain = () => ok(api.api.audit.verify.$get());
const auditReport = (query: Record<string, string>) => ok(api.api.reports.audit.$get({ query }));
const evaluation = (query: Record<string, string>) => ok(api.api.reports.evaluation.$get({ query }));

export interface AuditFilter {
  from: string;
  to: string;
  actor: string;
  action: string;
  caseRef: string;
  outcome: '' | 'ok' | 'denied' | 'error';
}

const DAY = 86_400_000;
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/**
 * Oversight: the audit log with filters and the hash chain's state, the audit report
 * (per user, per case, anomalies) and the annual evaluation. Every one of these views is
 * itself written to the audit log by the appliance.
 */
export class AuditState {
  filter = $state<AuditFilter>({
    from: toLocalInput(new Date(Date.now() - 7 * DAY)),
    to: '',
    actor: '',
    action: '',
    caseRef: '',
    outcome: '',
  });
  entries = $state<AuditEntry[]>([]);
  chain = $state<ChainState | null>(null);
  report = $state<AuditReport | null>(null);
  evaluation = $state<Evaluation | null>(null);
  /** The evaluation's period: the last year by default (guidelines 7b: annual). */
  // An empty "to" is now: a minute-truncated default would leave out the last minute's entries.
  period = $state({ from: toLocalInput(new Date(Date.now() - 365 * DAY)), to: '' });
  error = $state<string | null>(null);
  busy = $state(false);

  async #run(fn: () => Promise<void>): Promise<void> {
    await whileBusy(this, fn);
  }

  search = () =>
    this.#run(async () => {
      const f = this.filter;
      const q: Record<string, string> = { limit: '500' };
      for (const [k, v] of Object.entries({
        from: iso(f.from),
        to: iso(f.to),
        actor: f.actor.trim(),
        action: f.action.trim(),
        caseRef: f.caseRef.trim(),
        outcome: f.outcome,
      }))
        if (v) q[k] = v;
      // Newest first: an auditor looks at what just happened before what happened long ago.
      this.entries = (await listAudit(q)).entries.reverse();
    });

  verify = () => this.#run(async () => void (this.chain = await verifyChain()));

  #period(): Record<string, string> {
    const q: Record<string, string> = {};
    const from = iso(this.period.from);
    const to = iso(this.period.to);
    if (from) q.from = from;
    if (to) q.to = to;
    return q;
  }

  loadReport = () => this.#run(async () => void (this.report = await auditReport(this.#period())));
  loadEvaluation = () => this.#run(async () => void (this.evaluation = await evaluation(this.#period())));

  /** The server's printable page of a report, for the same period. */
  printable(kind: 'audit' | 'evaluation'): string {
    return `/api/reports/${kind}?${new URLSearchParams({ ...this.#period(), format: 'html' })}`;
  }
}
