import type { Migration } from './migrate.ts';

/**
 * The DDL for a ClickHouse cluster, derived from the same migrations the appliance applies to
 * a single server, so the two layouts cannot drift apart:
 *  - every MergeTree-family table becomes its Replicated* twin on each shard (`<name>_local`),
 *    with ZooKeeper/Keeper paths built from the {shard} and {replica} macros;
 *  - each table gets a Distributed table under its own name, so the appliance's queries run
 *    unchanged against the cluster;
 *  - reads and their companions are sharded by plate (cityHash64(plate_norm) or of the read id
 *    for images), so "where was this plate" touches one shard when
 *    optimize_skip_unused_shards is on, and a read's duplicates meet on one replica set where
 *    ReplacingMergeTree can collapse them;
 *  - materialized views are created on the local tables and write to local targets.
 */
export interface ClusterOptions {
  cluster: string;
  database: string;
}

const SHARDING_KEYS: Record<string, string> = {
  // Reads by camera: a camera-day search touches one shard, and a redelivered read meets its
  // first copy there. The plate tables by plate: a plate's index entries sit on one shard.
  reads: 'cityHash64(camera_id)',
  reads_v2: 'cityHash64(camera_id)',
  reads_v3: 'cityHash64(camera_id)',
  reads_by_plate: 'cityHash64(plate_norm)',
  plates: 'cityHash64(plate_norm)',
  candidate_terms: 'cityHash64(plate_norm)',
  plate_terms: 'cityHash64(plate_norm)',
  plate_images: 'cityHash64(read_id)',
  vehicle_images: 'cityHash64(read_id)',
  read_holds: 'cityHash64(read_id)',
};

const identifier = /^[a-z_][a-z0-9_]*$/;

export function clusterDdl(migrations: Migration[], opts: ClusterOptions): string[] {
  if (!identifier.test(opts.cluster) || !identifier.test(opts.database)) throw new Error('cluster and database must be plain identifiers');
  const on = `ON CLUSTER ${opts.cluster}`;
  const db = opts.database;
  const out: string[] = [`CREATE DATABASE IF NOT EXISTS ${db} ${on}`];
  for (const m of migrations) {
    for (const stmt of m.statements) {
      const table = /^CREATE TABLE IF NOT EXISTS (\w+)/.exec(stmt);
      const view = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) TO (\w+) AS/.exec(stmt);
      if (table) {
        const name = table[1]!;
        const local = stmt
          .replace(/^CREATE TABLE IF NOT EXISTS (\w+)/, `CREATE TABLE IF NOT EXISTS ${db}.$1_local ${on}`)
          .replace(/ENGINE = (\w*)MergeTree(\(([^)]*)\))?/, (_all, kind: string, _p, args: string | undefined) => {
            const path = `'/clickhouse/tables/{shard}/${db}/${name}', '{replica}'`;
            return `ENGINE = Replicated${kind}MergeTree(${path}${args ? `, ${args}` : ''})`;
          });
        out.push(local);
        const key = SHARDING_KEYS[name] ?? 'rand()';
        out.push(
          `CREATE TABLE IF NOT EXISTS ${db}.${name} ${on} AS ${db}.${name}_local ENGINE = Distributed(${opts.cluster}, ${db}, ${name}_local, ${key})`,
        );
      } else if (view) {
        // Views fire on each shard's inserts into its local table, into that shard's local target.
        out.push(
          stmt
            .replace(
              /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) TO (\w+) AS/,
              `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.$1 ${on} TO ${db}.$2_local AS`,
            )
            .replace(/\bFROM (\w+)\b/g, `FROM ${db}.$1_local`),
        );
      } else {
        out.push(...rebuildStatement(stmt, db, on, opts.cluster));
      }
    }
  }
  return out;
}

/**
 * The statements of a table rebuild (store/migrations/060_reads_by_camera.sql) on a cluster:
 * views and tables dropped on every node, the copy through the Distributed tables, and a
 * rename of the local tables followed by the Distributed table re-created over its new local
 * twin (a Distributed table names its local table, so it cannot simply be renamed with it).
 */
function rebuildStatement(stmt: string, db: string, on: string, cluster: string): string[] {
  const dropView = /^DROP VIEW IF EXISTS (\w+)$/.exec(stmt);
  if (dropView) return [`DROP VIEW IF EXISTS ${db}.${dropView[1]} ${on}`];
  const dropTable = /^DROP TABLE IF EXISTS (\w+)$/.exec(stmt);
  if (dropTable) return [`DROP TABLE IF EXISTS ${db}.${dropTable[1]} ${on}`, `DROP TABLE IF EXISTS ${db}.${dropTable[1]}_local ${on} SYNC`];
  const rename = /^RENAME TABLE (.+)$/s.exec(stmt);
  if (rename) {
    const pairs = rename[1]!.split(',').map((p) => /^\s*(\w+) TO (\w+)\s*$/.exec(p)!.slice(1, 3) as [string, string]);
    return [
      ...pairs.map(([from]) => `DROP TABLE IF EXISTS ${db}.${from} ${on}`),
      `RENAME TABLE ${pairs.map(([from, to]) => `${db}.${from}_local TO ${db}.${to}_local`).join(', ')} ${on}`,
      ...pairs.map(
        ([, to]) =>
          `CREATE TABLE IF NOT EXISTS ${db}.${to} ${on} AS ${db}.${to}_local ENGINE = Distributed(${cluster}, ${db}, ${to}_local, ${SHARDING_KEYS[to] ?? 'rand()'})`,
      ),
    ];
  }
  // Settings, TTLs and columns belong to the local tables that hold the data.
  const alter = /^ALTER TABLE (\w+) (.+)$/s.exec(stmt);
  if (alter) return [`ALTER TABLE ${db}.${alter[1]}_local ${on} ${alter[2]}`];
  if (/^INSERT INTO /.test(stmt))
    return [stmt.replace(/^INSERT INTO (\w+)/, `INSERT INTO ${db}.$1`).replace(/\bFROM (\w+)\b/g, `FROM ${db}.$1`)];
  return [stmt];
}
