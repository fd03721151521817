import { Hono } from 'hono';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { DEFAULT_TIME_ZONE, type AccessConfig, type Logger, type RetentionConfig } from '../../contracts/index.ts';
import type { AuditAnchoring } from '../anchoring.ts';
import type { AuditLog } from '../audit-log.ts';
import type { AccessEnv } from '../principal.ts';
import { evaluationHtml } from '../evaluation-html.ts';
import { dateTimeIn, presentEvaluation } from '../evaluation-view.ts';
import { evaluationReport } from '../evaluation.ts';
import { auditReport } from '../reports.ts';
import { accessErrorHandler, esc } from './util.ts';
import { valid } from '../../server/index.ts';

const DAY = 86_400_000;
const periodQuery = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    format: z.enum(['json', 'html']).default('json'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['from'] });

/** A printable page: headings and tables, every value escaped, no script, no external resource. */
function page(title: string, generated: string, sections: [string, Record<string, unknown>[] | Record<string, unknown>][]): string {
  const table = (rows: Record<string, unknown>[]) => {
    if (!rows.length) return '<p>None.</p>';
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    // Lists and counts as words ("reads.search: 3, image.view: 1"), not JSON.
    const cell = (v: unknown): string =>
      Array.isArray(v)
        ? v.map(cell).join(', ')
        : typeof v === 'object' && v !== null
          ? Object.entries(v)
              .map(([k, n]) => `${esc(k)}: ${cell(n)}`)
              .join(', ')
          : esc(v);
    return `<table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${cols.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  };
  const body = sections.map(([h, rows]) => `<h2>${esc(h)}</h2>${table(Array.isArray(rows) ? rows : [rows])}`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:12px sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}@media print{h2{page-break-after:avoid}}</style>
</head><body><h1>${esc(title)}</h1><p>Generated ${esc(generated)}. FOR OFFICIAL USE ONLY.</p>${body}</body></html>`;
}

// Sent with c.body rather than c.html: c.html's untyped answer would erase the JSON branch's type
// from the API's type, and the dashboard reads the report through it.
const HTML_HEADERS = {
  'content-type': 'text/html; charset=UTF-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'cache-control': 'no-store',
};

export function reportRoutes(opts: {
  client: ClickHouseClient;
  audit: AuditLog;
  anchoring?: AuditAnchoring | null;
  access: AccessConfig;
  retention: RetentionConfig;
  logger: Logger;
  clock?: () => Date;
  /** The agency that owns the appliance (site.agency): the evaluation is its report. */
  agency?: string;
  /** The appliance's time zone (site.timeZone): the evaluation's dates are in it. */
  timeZone?: string;
}) {
  const clock = opts.clock ?? (() => new Date());
  const zone = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const period = (q: { from?: string; to?: string }, days: number) => {
    const to = q.to ? new Date(q.to) : clock();
    return { from: q.from ? new Date(q.from) : new Date(to.getTime() - days * DAY), to };
  };

  const app = new Hono<AccessEnv>()
    .get('/reports/audit', valid('query', periodQuery), async (c) => {
      const q = c.req.valid('query');
      const { from, to } = period(q, 30);
      const entries = await opts.audit.list({ from, to, limit: 10_000 });
      // Each report anchors the head it reports on: a copy kept with the report (printed, filed)
      // then shows any later cut of the log's end.
      const anchor = (await opts.anchoring?.anchorNow()) ?? null;
      const report = {
        period: { from: from.toISOString(), to: to.toISOString() },
        truncated: entries.length === 10_000,
        anchor,
        chain: await opts.audit.verify(),
        ...auditReport(entries, { dutyHours: opts.access.dutyHours, searchesPerDay: opts.access.searchesPerDayAlert }),
      };
      if (q.format === 'json') return c.json(report);
      return c.body(
        // Dates in the appliance's zone, as the dashboard shows them, not UTC stamps.
        page(
          `ALPR audit report ${dateTimeIn(from.getTime(), zone)} – ${dateTimeIn(to.getTime(), zone)}`,
          dateTimeIn(clock().getTime(), zone),
          [
            [
              'Audit chain',
              {
                ok: report.chain.ok,
                entries: report.chain.entries,
                firstBreak: report.chain.firstBreak?.reason ?? '',
                anchors: report.chain.anchors
                  ? `${report.chain.anchors.anchors} checked, ${report.chain.anchors.problems.length + report.chain.anchors.moreProblems} problem(s)`
                  : 'not anchored',
              },
            ],
            [
              'Anchored head (keep this copy)',
              report.anchor
                ? { entry: report.anchor.seq, hash: report.anchor.hash, anchoredAt: report.anchor.at, mac: report.anchor.mac }
                : [],
            ],
            ['Anchor problems', report.chain.anchors?.problems.map((p) => ({ line: p.line, entry: p.seq ?? '', problem: p.reason })) ?? []],
            ['Anomalies', report.anomalies.map(({ seqs, ...a }) => ({ ...a, entries: seqs.slice(0, 20).join(' ') }))],
            ['By user', Object.entries(report.byUser).map(([user, u]) => ({ user, ...u }))],
            ['By case', Object.entries(report.byCase).map(([caseRef, v]) => ({ case: caseRef, ...v }))],
          ],
        ),
        200,
        HTML_HEADERS,
      );
    })
    .get('/reports/evaluation', valid('query', periodQuery), async (c) => {
      const q = c.req.valid('query');
      const { from, to } = period(q, 365);
      const report = await evaluationReport({ client: opts.client, audit: opts.audit, retention: opts.retention, from, to, clock });
      // The figures as a report: agency, period in the appliance's zone, sections with context.
      const document = presentEvaluation(report, {
        agency: opts.agency ?? 'Unnamed agency',
        timeZone: zone,
        generatedAt: clock(),
        tacticalDays: opts.retention.tacticalDays,
      });
      if (q.format === 'json') return c.json({ ...report, document });
      return c.body(evaluationHtml(document), 200, HTML_HEADERS);
    });
  app.onError(accessErrorHandler(opts.logger));
  return app;
}
