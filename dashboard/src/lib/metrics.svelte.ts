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
  series: { label: string; values: (number | null)[] }[];
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
        title: 'Hit rate (alerts per read)',
        unit: '%',
        series: d.hitRate ? [{ label: 'all cameras', values: d.hitRate.map((x) => (x === null ? null : x * 100)) }] : [],
      },
    ];
    for (const [key, title, unit] of GAUGES)
      charts.push({ id: key, title, unit, series: cams.map((c) => ({ label: c, values: d.pipeline[c]![key] })) });
    return charts;
  }
}
