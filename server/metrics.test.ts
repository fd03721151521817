import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.ts';

describe('metrics registry', () => {
  it('renders counters and gauges in the Prometheus text format', () => {
    const m = new MetricsRegistry();
    m.inc('alpr_reads_stored_total', 'Reads stored.', 3);
    m.inc('alpr_reads_stored_total', 'Reads stored.', 2);
    m.set('alpr_service_up', 'Up.', 1, { service: 'core' });
    m.set('alpr_service_up', 'Up.', 0, { service: 'cam "1"' });
    expect(m.render()).toBe(
      [
        '# HELP alpr_reads_stored_total Reads stored.',
        '# TYPE alpr_reads_stored_total counter',
        'alpr_reads_stored_total 5',
        '# HELP alpr_service_up Up.',
        '# TYPE alpr_service_up gauge',
        'alpr_service_up{service="core"} 1',
        'alpr_service_up{service="cam \\"1\\""} 0',
        '',
      ].join('\n'),
    );
  });

  it('refuses names Prometheus would not parse', () => {
    expect(() => new MetricsRegistry().inc('bad-name', 'x')).toThrow();
  });
});
