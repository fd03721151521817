import { api, messageOf, ok, type SeriesRange } from './api.ts';

export type SeriesData = Awaited<ReturnType<typeof load>>;
const load = (range: SeriesRange) => ok(api.api.metrics.series.$get({ query: { range } }));

export const RANGES: { id: SeriesRange; label: string }[] = [
  { id: '1h', label: 'Hour' },
  { id: '6h', label: '6 hours' },
  { id: '24h', label: 'Day' },
  { id: '7d', label: 'Week' },
  { id: '30d', label: 'Month' },
  { id: '1y', label: 'Year' },
];

export interface Chart {
  id: string;
  title: string;
  unit: string;
  /** What the figure is, in a sentence: shown under the title. */
  definition?: string;
  /** Fixed bounds of the value axis (a share is 0-100 %), else fitted to the data. */
  bounds?: [number, number];
  series: { label: string; values: (number | null)[] }[];
}

/** The two hit figures, each a share of what was read, named with their definitions. */
export const HIT_FIGURES = [
  {
    key: 'alertsPerRead',
    label: 'Alerts per read',
    definition: 'reads that raised at least one alert ÷ all reads',
  },
  {
    key: 'platesHitPerPlateRead',
    label: 'Plates hit per plate read',
    definition: 'distinct plates that matched a hotlist entry (an alert or a further sighting of one) ÷ distinct plates read',
  },
] as const;

const percent = (xs: (number | null)[]) => xs.map((x) => (x === null ? null : Math.round(x * 10_000) / 100));

/** The still-filling last bucket, in words: when it began and how much of it has passed. */
export function partialNote(p: { since: number; elapsedShare: number } | null, step: number, clock: (ms: number) => string): string | null {
  if (!p) return null;
  const span = step >= 3600 ? `${step / 3600} h` : `${step / 60} min`;
  return `The last bucket (from ${clock(p.since * 1000)}) is still filling: ${Math.round(p.elapsedShare * 100)} % of its ${span} has passed, and its rates are over that time. It is shaded.`;
}

/** Pipeline gauges as charts: one line per camera. */
const GAUGES = [
  ['decodedFps', 'Decoded frames per second', 'fps'],
  ['inferredFps', 'Inferred frames per second', 'fps'],
  ['inferenceMsP50', 'Inference latency, median', 'ms'],
  ['inferenceMsP99', 'Inference latency, p99 (worst in bucket)', 'ms'],
  ['queueDepth', 'Recognition queue depth (max in bucket)', 'frames'],
] as const;

/**
 * The charts' data for one range, refreshed while the page is open: often for the short
 * ranges (they move), rarely for the long ones (a year changes by the day).
 */
export class MetricsState {
  range = $state<SeriesRange>('1h');
  data = $state<SeriesData | null>(null);
  error = $state<string | null>(null);
  #timer: ReturnType<typeof setInterval> | null = null;

  async refresh(): Promise<void> {
    try {
      const range = this.range;
      const d = await load(range);
      if (range === this.range) this.data = d;
      this.error = null;
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  setRange(r: SeriesRange): void {
    this.range = r;
    this.data = null;
    this.start();
  }

  start(): void {
    this.stop();
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.range === '1h' || this.range === '6h' ? 15_000 : 120_000);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  get charts(): Chart[] {
    const d = this.data;
    if (!d) return [];
    const cams = Object.keys(d.pipeline).sort();
    const charts: Chart[] = [
      {
        id: 'reads',
        title: 'Reads per minute',
        unit: 'reads/min',
        series: Object.keys(d.reads)
          .sort()
          .map((c) => ({ label: c, values: d.reads[c]! })),
      },
      {
        id: 'hitRate',
        title: 'Hit figures, all cameras',
        unit: '%',
        definition: `${HIT_FIGURES.map((f) => `${f.label}: ${f.definition}`).join('. ')}. By the time the plate was read.${
          d.hits && !d.hits.platesHitPerPlateRead
            ? ' Distinct plates can be counted only while reads are kept (30 days): not over this range.'
            : ''
        }`,
        bounds: [0, 100],
        series: HIT_FIGURES.flatMap((f) => {
          const values = d.hits?.[f.key];
          return values ? [{ label: f.label, values: percent(values) }] : [];
        }),
      },
    ];
    for (const [key, title, unit] of GAUGES)
      charts.push({ id: key, title, unit, series: cams.map((c) => ({ label: c, values: d.pipeline[c]![key] })) });
    return charts;
  }
}
