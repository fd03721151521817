/**
 * Prints the DDL for a ClickHouse cluster: `node --import tsx store/print-cluster-ddl.ts [cluster] [database]`.
 * See docs/clickhouse-cluster.md.
 */
import { clusterDdl } from './cluster.ts';
import { loadMigrations } from './migrate.ts';

const [cluster = 'alpr', database = 'alpr'] = process.argv.slice(2);
for (const statement of clusterDdl(loadMigrations(), { cluster, database })) console.log(`${statement};\n`);
