import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../contracts/index.ts';
import { MigrationError } from './errors.ts';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  file: string;
  statements: string[];
  checksum: string;
}

/** Reads `NNN_name.sql` files in version order; statements end with `;` at the end of a line. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(path.join(dir, file), 'utf8');
      const statements = sql
        .split(/;\s*$/m)
        .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
        .filter(Boolean);
      return { version: Number(file.slice(0, 3)), file, statements, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Applies the migrations not yet recorded in schema_migrations, in order, and returns the
 * files applied. A migration that was applied but has since been edited is refused: the
 * schema on disk would no longer be what the files say.
 */
export async function migrate(client: ClickHouseClient, logger: Logger, migrations = loadMigrations()): Promise<string[]> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations
            (version UInt32, file String, checksum String, applied_at DateTime64(3, 'UTC'))
            ENGINE = MergeTree ORDER BY version`,
  });
  const rs = await client.query({ query: 'SELECT version, file, checksum FROM schema_migrations ORDER BY version', format: 'JSONEachRow' });
  const applied = new Map((await rs.json<{ version: number; file: string; checksum: string }>()).map((r) => [r.version, r]));
  const done: string[] = [];
  for (const m of migrations) {
    const prior = applied.get(m.version);
    if (prior) {
      if (prior.checksum !== m.checksum) throw new MigrationError(m.version, m.file, new Error('file changed after it was applied'));
      continue;
    }
    try {
      for (const statement of m.statements) await client.command({ query: statement });
      await client.insert({
        table: 'schema_migrations',
        values: [{ version: m.version, file: m.file, checksum: m.checksum, applied_at: Date.now() }],
        format: 'JSONEachRow',
      });
    } catch (err) {
      throw new MigrationError(m.version, m.file, err);
    }
    logger.info('migration applied', { file: m.file });
    done.push(m.file);
  }
  return done;
}
