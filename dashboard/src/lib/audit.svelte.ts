import { api, blob, messageOf, ok, type AuditReport, type Evaluation } from './api.ts';
import { whileBusy } from './busy.ts';
import { download } from './download.ts';
import { fmtDate, fromZoneInput, toZoneInput } from './format.ts';

export type AuditPage = Awaited<ReturnType<typeof listAudit>>;
export type AuditEntry = AuditPage['entries'][number];
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
/** Entries a page of the log shows: a screen's worth at 1366x768, with room to open one. */
export const AUDIT_PAGE = 50;

/**
 * Oversight: the audit log (server-side pages, newest first, filters, CSV export) with the hash
 * chain's state, the audit report (per user, per case, anomalies) and the annual evaluation.
 * Every one of these views is itself written to the audit log by the appliance. Times typed
 * into the filters are in the appliance's zone, like every time the dashboard shows.
 */
export class AuditState {
  filter = $state<AuditFilter>({
    from: toZoneInput(Date.now() - 7 * DAY),
    to: '',
    actor: '',
    action: '',
    caseRef: '',
    outcome: '',
  });
  entries = $state<AuditEntry[]>([]);
  /** Entries the applied filter matches, and where the page shown starts among them. */
  total = $state(0);
  offset = $state(0);
  /** No answer yet for the log: the table says "Loading…", not "No entries match". */
  loading = $state(true);
  /** The seq whose details are open (query, target, detail, address, hash). */
  open = $state<number | null>(null);
  chain = $state<ChainState | null>(null);
  report = $state<AuditReport | null>(null);
  evaluation = $state<Evaluation | null>(null);
  /** The evaluation's period: the last year by default (guidelines 7b: annual). */
  // An empty "to" is now: a minute-truncated default would leave out the last minute's entries.
  period = $state({ from: toZoneInput(Date.now() - 365 * DAY), to: '' });
  error = $state<string | null>(null);
  busy = $state(false);
  /** The filter as last applied: paging and export use it, not what is half-typed in the form. */
  #applied: Record<string, string> = {};

  async #run(fn: () => Promise<void>): Promise<void> {
    await whileBusy(this, fn);
  }

  #filterQuery(): Record<string, string> {
    const f = this.filter;
    const q: Record<string, string> = {};
    for (const [k, v] of Object.entries({
      from: fromZoneInput(f.from),
      to: fromZoneInput(f.to),
      actor: f.actor.trim(),
      action: f.action.trim(),
      caseRef: f.caseRef.trim(),
      outcome: f.outcome,
    }))
      if (v) q[k] = v;
    return q;
  }

  /** Applies the filter and shows its first page. */
  search = () => {
    this.#applied = this.#filterQuery();
    return this.page(0);
  };

  /** One page of the applied filter, newest first: an auditor looks at what just happened first. */
  page = (offset: number) =>
    this.#run(async () => {
      this.loading = true;
      try {
        const r = await listAudit({ ...this.#applied, order: 'desc', limit: String(AUDIT_PAGE), offset: String(Math.max(0, offset)) });
        this.entries = r.entries;
        this.total = r.total;
        this.offset = r.offset;
        this.open = null;
      } finally {
        this.loading = false;
      }
    });

  get pages(): { current: number; count: number; hasPrev: boolean; hasNext: boolean } {
    return {
      current: Math.floor(this.offset / AUDIT_PAGE) + 1,
      count: Math.max(1, Math.ceil(this.total / AUDIT_PAGE)),
      hasPrev: this.offset > 0,
      hasNext: this.offset + AUDIT_PAGE < this.total,
    };
  }

  next = () => this.page(this.offset + AUDIT_PAGE);
  prev = () => this.page(this.offset - AUDIT_PAGE);

  toggle(seq: number): void {
    this.open = this.open === seq ? null : seq;
  }

  /** The applied filter's entries as CSV (the appliance audits the export). */
  async exportCsv(): Promise<void> {
    this.error = null;
    try {
      const b = await blob(api.api.audit['export.csv'].$get({ query: this.#applied }));
      download(b, `alpr-audit-${fmtDate(Date.now())}.csv`);
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  verify = () => this.#run(async () => void (this.chain = await verifyChain()));

  #period(): Record<string, string> {
    const q: Record<string, string> = {};
    const from = fromZoneInput(this.period.from);
    const to = fromZoneInput(this.period.to);
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
