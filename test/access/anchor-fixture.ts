/**
 * Writes an anchored audit log into a data directory, or cuts its end, from a process of its own:
 * libchdb opens a data directory once per process, and the CLI under test needs it next.
 * Usage: node --import tsx test/access/anchor-fixture.ts DATADIR seed|cut
 */
import { silentLogger } from '../../contracts/index.ts';
import { createAuditAnchoring } from '../../access/index.ts';
import { createAuditLog } from '../../access/index.ts';
import { createClickHouseClient, migrate } from '../../store/index.ts';

const [dataDir, step] = process.argv.slice(2);
if (!dataDir || !['seed', 'cut'].includes(step ?? '')) throw new Error('usage: anchor-fixture.ts DATADIR seed|cut');
const client = await createClickHouseClient({ kind: 'embedded' }, dataDir);
try {
  await migrate(client, silentLogger);
  if (step === 'seed') {
    const audit = createAuditLog({ client });
    const anchoring = createAuditAnchoring({
      audit,
      dataDir,
      keyEnv: 'ALPR_AUDIT_ANCHOR_KEY',
      env: {},
      createKey: true,
      logger: silentLogger,
    });
    const entry = (n: number) => ({
      actor: `user-${n}`,
      action: 'reads.search',
      outcome: 'ok' as const,
      caseRef: '24-0031',
      purpose: 'locate vehicle',
    });
    for (let i = 1; i <= 4; i++) await audit.append(entry(i));
    await anchoring.anchorNow();
    for (let i = 5; i <= 6; i++) await audit.append(entry(i));
    await anchoring.stop();
  } else {
    await client.command({ query: 'ALTER TABLE audit_log DELETE WHERE seq > 4 SETTINGS mutations_sync = 1' });
  }
} finally {
  await client.close();
}
