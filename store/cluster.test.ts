import { describe, expect, it } from 'vitest';
import { clusterDdl } from './cluster.ts';
import { loadMigrations } from './migrate.ts';

describe('cluster DDL from the migrations', () => {
  const ddl = clusterDdl(loadMigrations(), { cluster: 'alpr', database: 'alpr' });

  it('makes each table a Replicated twin on every shard plus a Distributed table under its name', () => {
    const readsLocal = ddl.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS alpr.reads_local'))!;
    expect(readsLocal).toContain('ON CLUSTER alpr');
    expect(readsLocal).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/alpr/reads', '{replica}')");
    expect(readsLocal).toContain('TTL greatest(');
    expect(ddl).toContain(
      'CREATE TABLE IF NOT EXISTS alpr.reads ON CLUSTER alpr AS alpr.reads_local ENGINE = Distributed(alpr, alpr, reads_local, cityHash64(camera_id))',
    );
    const terms = ddl.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS alpr.plate_terms_local'))!;
    expect(terms).toContain("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/alpr/plate_terms', '{replica}', last_capture)");
  });

  it('rebuilds reads by camera: local tables renamed, the Distributed table re-created over the new one', () => {
    const rename = ddl.findIndex((s) =>
      s.startsWith('RENAME TABLE alpr.reads_local TO alpr.reads_v1_retired_local, alpr.reads_v2_local TO alpr.reads_local ON CLUSTER alpr'),
    );
    expect(rename).toBeGreaterThan(0);
    expect(ddl.slice(rename)).toContain(
      'CREATE TABLE IF NOT EXISTS alpr.reads ON CLUSTER alpr AS alpr.reads_local ENGINE = Distributed(alpr, alpr, reads_local, cityHash64(camera_id))',
    );
    expect(ddl.slice(rename)).toContain('DROP TABLE IF EXISTS alpr.reads_v1_retired_local ON CLUSTER alpr SYNC');
    expect(ddl).toContain(
      'CREATE TABLE IF NOT EXISTS alpr.reads_by_plate ON CLUSTER alpr AS alpr.reads_by_plate_local ENGINE = Distributed(alpr, alpr, reads_by_plate_local, cityHash64(plate_norm))',
    );
    const mv = ddl.find((s) => s.includes('plates_mv'))!;
    expect(mv).toContain('TO alpr.plates_local AS');
    expect(mv).toContain('FROM alpr.reads_local');
    expect(ddl.filter((s) => /^(DROP|RENAME|INSERT)/.test(s)).every((s) => s.includes('alpr.'))).toBe(true);
  });

  it('points materialized views at local tables', () => {
    const mv = ddl.find((s) => s.includes('plate_terms_mv'))!;
    expect(mv).toContain('TO alpr.plate_terms_local AS');
    expect(mv).toContain('FROM alpr.reads_local');
  });

  it('leaves no plain MergeTree behind and refuses odd identifiers', () => {
    for (const s of ddl.filter((x) => x.startsWith('CREATE TABLE') && x.includes('_local ON CLUSTER')))
      expect(s).toMatch(/ENGINE = Replicated\w*MergeTree\(/);
    expect(() => clusterDdl(loadMigrations(), { cluster: 'a; DROP', database: 'alpr' })).toThrow();
  });
});
