import { describe, expect, it } from 'vitest';
import { barsSvg, evaluationHtml } from './evaluation-html.ts';
import { percent, presentEvaluation } from './evaluation-view.ts';
import type { EvaluationReport } from './evaluation.ts';

/** A year's raw figures as the store gives them: the raw dump the report used to print. */
const raw: EvaluationReport = {
  period: { from: '2025-12-06T05:00:00.000Z', to: '2026-12-06T05:00:00.000Z', hours: 8760 },
  reads: 87_600,
  hitReads: 10,
  alertsPerRead: 10 / 87_600,
  alertsRaised: 14,
  plates: { from: '2026-11-06T05:00:00.000Z', to: '2026-12-06T05:00:00.000Z', plates: 5000, platesHit: 4, share: 4 / 5000 },
  verifications: 6,
  verdicts: { confirmed_hit: 1, misread: 1, no_action: 2, duplicate: 2 },
  verifiedHits: 1,
  misreadRate: 0.25,
  cameras: [
    {
      cameraId: 'cam-east',
      reads: 87_000,
      hoursWithReads: 4000,
      readsPerActiveHour: 21.75,
      uptime: 0.98765,
      uptimeSince: '2025-12-06T05:00:00.000Z',
      observedMinutes: 525_600,
      meanFps: 24.987,
      worstInferenceMsP99: 83.4,
      lowConfidenceShare: 0.0123,
      noStateShare: 0.000114155,
    },
    {
      cameraId: 'cam-new',
      reads: 600,
      hoursWithReads: 1,
      readsPerActiveHour: 600,
      uptime: 0,
      uptimeSince: '2026-12-06T04:00:00.000Z',
      observedMinutes: 60,
      meanFps: null,
      worstInferenceMsP99: null,
      lowConfidenceShare: 0,
      noStateShare: null,
    },
  ],
  dataQuality: { lowConfidenceShare: 0.0122, noStateShare: 0.000114155, lowConfidenceBelow: 0.8 },
  purge: {
    settings: { tacticalDays: 30, holdMaxYears: 3 },
    runs: 365,
    runsLeavingExpiredRows: 0,
    purgedRows: 1_234_567,
    heldReads: 12,
    compliant: true,
  },
  deployments: [
    {
      id: 'DEP-2025-001',
      cameraId: 'cam-east',
      status: 'active',
      mode: 'fixed',
      authorizedBy: 'chief',
      validFrom: '2025-01-02T15:00:00.000Z',
      validUntil: null,
      results: 3,
      exceptions: 1,
    },
  ],
  disseminations: { sent: 3, refused: 1 },
} as EvaluationReport;

const opts = {
  agency: 'Leon County Sheriff’s Office',
  timeZone: 'America/New_York',
  generatedAt: new Date('2026-12-06T15:30:00Z'),
  tacticalDays: 30,
};

describe('the annual evaluation as a report', () => {
  const doc = presentEvaluation(raw, opts);
  const strings = (v: unknown): string[] =>
    typeof v === 'string' ? [v] : typeof v === 'object' && v !== null ? Object.values(v).flatMap(strings) : [];

  it('names the agency and gives the period as dates in the appliance’s zone', () => {
    expect(doc.agency).toBe('Leon County Sheriff’s Office');
    // 05:00 UTC is midnight in New York: the period is the calendar days the agency means.
    expect(doc.period).toBe('December 6, 2025 to December 6, 2026');
    expect(doc.generated).toBe('December 6, 2026 at 10:30 AM EST');
  });

  it('has a section for each question of guidelines 7b, each with a sentence of context', () => {
    expect(doc.sections.map((s) => s.title)).toEqual([
      'Performance',
      'Operational factors',
      'Data quality',
      'Business value and return on investment',
      'Technology refresh planning',
      'Data retention and purge',
      'Deployments',
    ]);
    for (const s of doc.sections) expect(s.context.length).toBeGreaterThan(60);
  });

  it('shows rounded figures with units and human labels, never column names, raw floats or UTC stamps', () => {
    const perf = doc.sections[0]!.figures;
    expect(perf.find((f) => f.label === 'Plates read')!.value).toBe('87,600');
    expect(perf.find((f) => f.label === 'Alerts per read')!.value).toBe('0.01%');
    expect(perf.find((f) => f.label === 'Plates hit per plate read')!.value).toBe('0.08%');
    expect(doc.sections[2]!.figures.find((f) => f.label === 'Misread rate')!.note).toBe(
      '1 misread plates among 4 alerts that operators verified',
    );
    expect(doc.sections[2]!.charts[0]!.rows.map((r) => r.label)).toEqual([
      'Confirmed hit',
      'Misread plate',
      'No action taken',
      'Duplicate alert',
    ]);
    expect(doc.sections[6]!.tables[0]!.table.rows[0]).toEqual([
      'DEP-2025-001',
      'cam-east',
      'Active',
      'Fixed',
      'chief',
      'January 2, 2025',
      'open',
      '3',
      '1',
    ]);
    for (const text of strings(doc)) expect(text).not.toMatch(/hitRate|uptimeShare|confirmed_hit|^\{|\b0\.\d{4,}|\d{4}-\d{2}-\d{2}T/);
  });

  it('draws shares to scale: 0% uptime is no bar, not a full one', () => {
    const uptime = doc.sections[1]!.charts[0]!;
    expect(uptime.rows).toEqual([
      { label: 'cam-east', width: 0.98765, text: '98.8%' },
      { label: 'cam-new', width: 0, text: '0%' },
    ]);
    // Counts against the largest.
    expect(doc.sections[0]!.charts[0]!.rows.map((r) => r.width)).toEqual([1, 600 / 87_000]);
  });

  it('rounds percentages so that they read', () => {
    expect([percent(0), percent(0.000001), percent(0.00114), percent(0.123456), percent(0.99999), percent(1), percent(null)]).toEqual([
      '0%',
      'under 0.01%',
      '0.11%',
      '12.3%',
      'over 99.9%',
      '100.0%',
      '–',
    ]);
  });

  it('prints as a page with the agency, inline charts, and a print stylesheet with page breaks', () => {
    const html = evaluationHtml(doc);
    expect(html).toContain('Leon County Sheriff&#8217;s Office'.replace('&#8217;', '’'));
    expect(html).toContain('<svg class="bars"');
    expect(html.slice(html.indexOf('@media print'))).toContain('section.sec{break-before:page}');
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(barsSvg({ title: 't', rows: [{ label: '<b>', width: 0, text: '0%' }] })).toContain('&#60;b&#62;');
  });
});
