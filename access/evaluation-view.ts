import { DISPOSITIONS } from '../contracts/index.ts';
import type { EvaluationReport } from './evaluation.ts';

/**
 * The annual evaluation as a chief or a council reads it (guidelines 7b): the agency, the
 * period in the appliance's time zone, one section per question the guidelines ask, each with
 * a sentence of context, rounded figures with their units, bar charts and tables with human
 * labels. Pure: the same document is rendered as the printable page and in the dashboard.
 */
export interface Figure {
  label: string;
  value: string;
  note?: string;
}
/** Bars: `width` is the bar's share of the track, 0 to 1 (a share is drawn to scale, a count against the largest). */
export interface BarChart {
  title: string;
  rows: { label: string; width: number; text: string }[];
}
export interface Table {
  columns: string[];
  rows: string[][];
}
export interface Section {
  id: string;
  title: string;
  context: string;
  figures: Figure[];
  charts: BarChart[];
  tables: { title: string; table: Table }[];
  notes: string[];
}
export interface EvaluationDocument {
  title: string;
  agency: string;
  period: string;
  timeZone: string;
  generated: string;
  sections: Section[];
}

const DISPOSITION_LABELS: Record<(typeof DISPOSITIONS)[number], string> = {
  confirmed_hit: 'Confirmed hit',
  misread: 'Misread plate',
  wrong_state: 'Wrong state',
  record_inactive: 'Record no longer active',
  no_action: 'No action taken',
  duplicate: 'Duplicate alert',
};

/** Whole numbers with thousands separators: 12,345. */
export const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** A share as a percentage, rounded so that it reads: 12.3%, 0.05%, under 0.01%; – when unknown. */
export function percent(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const p = x * 100;
  if (p === 0) return '0%';
  if (p < 0.01) return 'under 0.01%';
  if (p < 1) return `${p.toFixed(2)}%`;
  if (p > 99.9 && p < 100) return 'over 99.9%';
  return `${p.toFixed(1)}%`;
}

/** A number with a unit, rounded to what the unit warrants. */
export const measure = (x: number | null | undefined, unit: string, digits = 1) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(digits)} ${unit}`;

/** "March 14, 2026" in the appliance's zone. */
export const dateIn = (iso: string | number, timeZone: string) =>
  new Date(iso).toLocaleDateString('en-US', { timeZone, year: 'numeric', month: 'long', day: 'numeric' });

/** "March 14, 2026, 2:05 PM EDT" in the appliance's zone. */
export const dateTimeIn = (iso: string | number, timeZone: string) =>
  new Date(iso).toLocaleString('en-US', {
    timeZone,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  });

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const yesNo = (b: boolean | null) => (b === null ? 'not known' : b ? 'Yes' : 'No');

/** Bars for counts: each against the largest, so the largest fills its track. */
function countBars(title: string, rows: { label: string; value: number }[], unit = ''): BarChart {
  const max = Math.max(0, ...rows.map((r) => r.value));
  return {
    title,
    rows: rows.map((r) => ({ label: r.label, width: max > 0 ? r.value / max : 0, text: `${count(r.value)}${unit}` })),
  };
}

/** Bars for shares: drawn to scale, so 0% is no bar and 50% half a track. */
function shareBars(title: string, rows: { label: string; value: number | null }[]): BarChart {
  return {
    title,
    rows: rows.map((r) => ({ label: r.label, width: Math.min(1, Math.max(0, r.value ?? 0)), text: percent(r.value) })),
  };
}

export function presentEvaluation(
  r: EvaluationReport,
  o: { agency: string; timeZone: string; generatedAt: Date; tacticalDays: number },
): EvaluationDocument {
  const tz = o.timeZone;
  const day = (iso: string) => dateIn(iso, tz);
  const cams = r.cameras;
  const looked = r.verifications - (r.verdicts.duplicate ?? 0);

  const performance: Section = {
    id: 'performance',
    title: 'Performance',
    context:
      'Whether the system performs effectively: how many vehicles it read, and how many of those reads matched a hotlist entry and raised an alert for an operator to verify. A read is one pass of one vehicle past a camera.',
    figures: [
      { label: 'Plates read', value: count(r.reads) },
      {
        label: 'Alerts per read',
        value: percent(r.alertsPerRead),
        note:
          r.hitReads === null
            ? 'not known: this store keeps no alerts'
            : `${count(r.hitReads)} reads raised at least one alert, of ${count(r.reads)} reads`,
      },
      {
        label: 'Plates hit per plate read',
        value: percent(r.plates?.share ?? null),
        note: r.plates
          ? `${count(r.plates.platesHit)} of ${count(r.plates.plates)} distinct plates matched a hotlist entry, ${day(r.plates.from)} to ${day(r.plates.to)}: only the last ${o.tacticalDays} days' reads are kept to count distinct plates`
          : 'not known: no reads are kept for this period',
      },
      { label: 'Alerts raised', value: r.alertsRaised === null ? '–' : count(r.alertsRaised), note: 'one per hotlist entry matched' },
      { label: 'Hits confirmed by an operator', value: count(r.verifiedHits) },
    ],
    charts: [
      countBars(
        'Reads per camera',
        cams.map((c) => ({ label: c.cameraId, value: c.reads })),
      ),
    ],
    tables: [],
    notes: [],
  };

  const operations: Section = {
    id: 'operations',
    title: 'Operational factors',
    context:
      "What affected performance: whether each camera was working, and when traffic was read. A camera's uptime is the share of minutes in which it delivered video, counted from the later of the period's start and the camera's first report.",
    figures: [
      { label: 'Cameras', value: count(cams.length) },
      {
        label: 'Deployment exceptions recorded',
        value: count(r.deployments.reduce((a, d) => a + d.exceptions, 0)),
        note: 'outages and other events noted against a deployment',
      },
    ],
    charts: [
      shareBars(
        'Uptime per camera',
        cams.map((c) => ({ label: c.cameraId, value: c.uptime })),
      ),
    ],
    tables: [
      {
        title: 'Cameras',
        table: {
          columns: ['Camera', 'Uptime', 'Counted from', 'Reads', 'Hours with reads', 'Reads per hour with reads'],
          rows: cams.map((c) => [
            c.cameraId,
            c.uptime === null ? 'never reported' : percent(c.uptime),
            c.uptimeSince ? day(c.uptimeSince) : '–',
            count(c.reads),
            count(c.hoursWithReads),
            c.readsPerActiveHour === null ? '–' : count(c.readsPerActiveHour),
          ]),
        },
      },
    ],
    notes: [],
  };

  const known = new Set<string>(DISPOSITIONS);
  const other = Object.entries(r.verdicts).reduce((a, [k, n]) => (known.has(k) ? a : a + n), 0);
  const verdictRows = [
    ...DISPOSITIONS.filter((d) => r.verdicts[d]).map((d) => ({ label: DISPOSITION_LABELS[d], value: r.verdicts[d] ?? 0 })),
    ...(other ? [{ label: 'Other (record unreadable)', value: other }] : []),
  ];
  const quality: Section = {
    id: 'quality',
    title: 'Data quality',
    context: `How far an investigator can rely on a read: plates read with low confidence (below ${Math.round(r.dataQuality.lowConfidenceBelow * 100)}%) or without a state are less reliable, and operators' verification of alerts shows how often the system misread a plate.`,
    figures: [
      { label: 'Reads with low confidence', value: percent(r.dataQuality.lowConfidenceShare) },
      { label: 'Reads without a state', value: percent(r.dataQuality.noStateShare) },
      {
        label: 'Misread rate',
        value: percent(r.misreadRate),
        note: `${count(r.verdicts.misread ?? 0)} misread plates among ${count(looked)} alerts that operators verified`,
      },
    ],
    charts: verdictRows.length ? [countBars("Operators' verdicts on alerts", verdictRows)] : [],
    tables: [
      {
        title: 'Read quality per camera',
        table: {
          columns: ['Camera', 'Reads', 'Low confidence', 'Without a state'],
          rows: cams.map((c) => [c.cameraId, count(c.reads), percent(c.lowConfidenceShare), percent(c.noStateShare)]),
        },
      },
    ],
    notes: ['A read delivered twice after a power loss is counted twice in the hourly counts behind these figures; this is rare.'],
  };

  const value: Section = {
    id: 'value',
    title: 'Business value and return on investment',
    context:
      'What the system contributed to the agency. Recoveries, arrests, cases closed and the cost of the system are recorded outside the appliance: add them to these figures to calculate a return on investment.',
    figures: [
      { label: 'Hits confirmed by an operator', value: count(r.verifiedHits) },
      { label: 'Alerts verified by an operator', value: count(looked) },
      { label: 'Records shared with other agencies', value: count(r.disseminations.sent) },
      { label: 'Requests to share refused', value: count(r.disseminations.refused) },
    ],
    charts: [],
    tables: [],
    notes: [],
  };

  const refresh: Section = {
    id: 'refresh',
    title: 'Technology refresh planning',
    context:
      'How much headroom the hardware has left: a camera whose frame rate falls or whose recognition latency grows, or one often down, is the first candidate for replacement.',
    figures: [],
    charts: [],
    tables: [
      {
        title: 'Camera hardware',
        table: {
          columns: ['Camera', 'Mean frames per second', 'Worst recognition latency (99th percentile)', 'Uptime'],
          rows: cams.map((c) => [c.cameraId, measure(c.meanFps, 'fps'), measure(c.worstInferenceMsP99, 'ms', 0), percent(c.uptime)]),
        },
      },
    ],
    notes: [],
  };

  const s = r.purge.settings;
  const retention: Section = {
    id: 'retention',
    title: 'Data retention and purge',
    context: `Reads are kept ${s.tacticalDays} days for tactical use, and up to ${s.holdMaxYears} years only while a case holds them (F.S. 316.0778, guidelines 6e). The purge runs daily and must leave no read past its time.`,
    figures: [
      { label: 'Purge runs', value: count(r.purge.runs) },
      { label: 'Runs that left expired reads', value: count(r.purge.runsLeavingExpiredRows) },
      { label: 'Rows purged', value: count(r.purge.purgedRows) },
      { label: 'Reads held for cases now', value: r.purge.heldReads === null ? '–' : count(r.purge.heldReads) },
      { label: 'Purge compliant', value: yesNo(r.purge.compliant) },
    ],
    charts: [],
    tables: [],
    notes: [],
  };

  const deployments: Section = {
    id: 'deployments',
    title: 'Deployments',
    context:
      'A camera stores reads only under an authorised deployment (guidelines 2d). Results and exceptions are those recorded against each deployment.',
    figures: [{ label: 'Deployments', value: count(r.deployments.length) }],
    charts: [],
    tables: [
      {
        title: 'Deployments',
        table: {
          columns: ['Deployment', 'Camera', 'Status', 'Kind', 'Authorised by', 'Valid from', 'Valid until', 'Results', 'Exceptions'],
          rows: r.deployments.map((d) => [
            d.id,
            d.cameraId,
            capital(d.status),
            capital(d.mode),
            d.authorizedBy,
            day(d.validFrom),
            d.validUntil ? day(d.validUntil) : 'open',
            count(d.results),
            count(d.exceptions),
          ]),
        },
      },
    ],
    notes: [],
  };

  return {
    title: 'Annual evaluation of the automated license plate reader system',
    agency: o.agency,
    period: `${day(r.period.from)} to ${day(r.period.to)}`,
    timeZone: tz,
    generated: dateTimeIn(o.generatedAt.getTime(), tz),
    sections: [performance, operations, quality, value, refresh, retention, deployments],
  };
}
