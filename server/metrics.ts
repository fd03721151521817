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
