/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text
 * exposition format. Written here rather than pulled in because the appliance needs a
 * dozen series and no default collectors of a client library.
 */
type Labels = Record<string, string>;

interface Series {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export class MetricsRegistry {
  private readonly series = new Map<string, Series>();

  private get(name: string, type: Series['type'], help: string): Series {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`);
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = { help, type, values: new Map() }));
    return s;
  }

  inc(name: string, help: string, by = 1, labels: Labels = {}): void {
    const s = this.get(name, 'counter', help);
    const k = key(labels);
    const cur = s.values.get(k);
    s.values.set(k, { labels, value: (cur?.value ?? 0) + by });
  }

  set(name: string, help: string, value: number, labels: Labels = {}): void {
    this.get(name, 'gauge', help).values.set(key(labels), { labels, value });
  }

  value(name: string, labels: Labels = {}): number | undefined {
    return this.series.get(name)?.values.get(key(labels))?.value;
  }

  render(): string {
    const out: string[] = [];
    for (const [name, s] of this.series) {
      out.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`);
      for (const { labels, value } of s.values.values()) {
        const l = Object.entries(labels)
          .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
          .join(',');
        out.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 'NaN'}`);
      }
    }
    return out.join('\n') + '\n';
  }
}

/**
 * Counts each thing once per group however often it is seen: a read refused by the ingest gate
 * is asked about again when its batch is redelivered and when the camera's spool checks whether
 * it was stored, and each of those must not count as one more refused read. It remembers the
 * last `capacity` keys (a bounded memory: a key seen again after that many others counts twice).
 */
export class OnceCounter {
  readonly #seen = new Set<string>();
  readonly #counts = new Map<string, number>();
  constructor(private readonly capacity = 100_000) {}

  /** Counts `key` in `group` unless it was counted already; true when it was new. */
  add(group: string, key: string): boolean {
    const k = `${group}\u0000${key}`;
    if (this.#seen.has(k)) return false;
    this.#seen.add(k);
    // A Set iterates in insertion order: the first key is the oldest.
    if (this.#seen.size > this.capacity) this.#seen.delete(this.#seen.values().next().value!);
    this.#counts.set(group, (this.#counts.get(group) ?? 0) + 1);
    return true;
  }

  count(group: string): number {
    return this.#counts.get(group) ?? 0;
  }

  groups(): string[] {
    return [...this.#counts.keys()];
  }
}
