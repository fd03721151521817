import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { requestAuditVerify, silentLogger, type AlprConfig } from '../contracts/index.ts';
import { createClickHouseClient, migrate } from '../store/index.ts';
import { createAuditAnchoring, withAnchoredVerify } from './anchoring.ts';
import { createAuditLog, type VerifyResult } from './audit-log.ts';
import { createEnrolment } from './enrolment.ts';
import { AccessError } from './errors.ts';

/**
 * `alpr user create-admin` and `alpr audit verify`. The embedded store admits one process per
 * data directory and the running core holds it, so:
 *  - create-admin works offline: with the appliance stopped (embedded store), or at any time
 *    against a remote ClickHouse. While the appliance runs with no users, its log carries a
 *    one-time setup link instead.
 *  - audit verify asks the running core over NATS first and falls back to opening the store
 *    offline when no core answers.
 */
export interface CliCommand {
  usage: string;
  summary: string;
  help: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  run(values: Record<string, unknown>, positionals: string[], config: AlprConfig): Promise<number>;
}

class StoreBusyError extends Error {
  override readonly name = 'StoreBusyError';
}

async function openStore(config: AlprConfig) {
  try {
    const client = await createClickHouseClient(config.storage, config.dataDir);
    await migrate(client, silentLogger);
    return client;
  } catch (err) {
    const text = `${(err as Error).message} ${String((err as Error).cause ?? '')}`;
    if (/Cannot lock file|Another server instance|Failed to create connection/i.test(text)) {
      throw new StoreBusyError('the embedded store is in use: the appliance is running (it owns the data directory)');
    }
    throw err;
  }
}

/** Reads a password: the first line of stdin with --password-stdin, else twice from the terminal, not echoed. */
async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    throw new Error('no password on stdin');
  }
  let muted = false;
  const output = new Writable({ write: (chunk, _enc, cb) => (muted || process.stdout.write(chunk), cb()) });
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output, terminal: true });
      process.stdout.write(q);
      muted = true;
      rl.question('', (answer) => {
        muted = false;
        process.stdout.write('\n');
        rl.close();
        resolve(answer);
      });
    });
  const first = await ask('Password: ');
  if ((await ask('Again: ')) !== first) throw new Error('the two passwords differ');
  return first;
}

/** Prints a verification and returns the exit status. */
function printVerify(result: VerifyResult, via: string): number {
  const head = result.head ? `entry ${result.head.seq}, hash ${result.head.hash}` : 'empty log';
  const anchors = result.anchors;
  if (result.firstBreak) {
    console.log(`audit log BROKEN (checked by ${via}): first broken entry ${result.firstBreak.seq}: ${result.firstBreak.reason}`);
    console.log(`entries verified before the break: ${result.entries}; last good: ${head}`);
  } else {
    // "intact" alone would be read as the whole verdict while the anchors say otherwise.
    const what = anchors && !anchors.ok ? "audit log's chain" : 'audit log';
    console.log(`${what} intact (${result.entries} entries, checked by ${via}); head: ${head}`);
  }
  if (!anchors) return result.ok ? 0 : 1;
  if (anchors.checked && anchors.problems.length) {
    console.log(`audit anchors BROKEN: ${anchors.problems.length + anchors.moreProblems} problem(s) in ${anchors.anchors} anchor(s)`);
    for (const p of anchors.problems) console.log(`  ${p.kind}: ${p.reason}`);
    if (anchors.moreProblems) console.log(`  … and ${anchors.moreProblems} more`);
  } else if (anchors.checked) {
    const last = anchors.last ? `; last anchored: entry ${anchors.last.seq} at ${anchors.last.at}` : '';
    console.log(`audit anchors intact (${anchors.anchors} anchor(s) checked${last})`);
  }
  if (anchors.note) console.log(`note: ${anchors.note}`);
  if (result.firstBreak || anchors.problems.length) return 1;
  // Anchors that no key can check: neither intact nor broken.
  return anchors.ok ? 0 : 2;
}

export const accessCommands: Record<string, CliCommand> = {
  'user create-admin': {
    usage: 'alpr user create-admin --username NAME --name "DISPLAY NAME" [--password-stdin] [--recovery] [--config FILE]',
    summary: 'create the first administrator (appliance stopped, or remote store)',
    help: `Designates the first ALPR administrator (the chief executive's designee, guidelines 2a) and
prints the authenticator secret to enrol in a TOTP app: sign-in always needs password AND code.
The password is asked twice on the terminal, or read from the first line of stdin (--password-stdin).
Works offline: stop the appliance first when the store is embedded (it owns the data directory).
While the appliance runs with no users yet, use the one-time setup link it printed in its log.
Refused when users exist, unless --recovery (every administrator locked out): recorded in the audit log.`,
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      recovery: { type: 'boolean' },
    },
    async run(values, _positionals, config) {
      const username = values.username as string | undefined;
      const displayName = (values.name as string | undefined) ?? username;
      if (!username || !displayName) {
        console.error('usage: alpr user create-admin --username NAME --name "DISPLAY NAME"');
        return 2;
      }
      // Read before the store opens: embedded ClickHouse takes a piped stdin for insert data.
      const password = await readPassword(Boolean(values['password-stdin']));
      let client;
      try {
        client = await openStore(config);
      } catch (err) {
        console.error(
          `${(err as Error).message}.\nStop the appliance and run this again, or open the one-time setup link from its log while it has no users.`,
        );
        return 1;
      }
      try {
        const enrolment = createEnrolment({ client, access: config.access, audit: createAuditLog({ client }) });
        const admin = await enrolment.createFirstAdmin({ username, displayName, password, recovery: Boolean(values.recovery) });
        console.log(`Administrator "${admin.username}" created.`);
        console.log('Enrol this secret in an authenticator app (TOTP, 6 digits, 30 s) before signing in:');
        console.log(`  secret: ${admin.secret}`);
        console.log(`  ${admin.otpauthUri}`);
        return 0;
      } catch (err) {
        if (err instanceof AccessError) {
          const problems =
            'problems' in err && Array.isArray(err.problems)
              ? err.problems.map((p: { param: string; message: string }) => `\n  ${p.param}: ${p.message}`).join('')
              : '';
          console.error(`${err.message}${problems}`);
          return 1;
        }
        if ((err as Error).name === 'ZodError') {
          console.error('invalid user name: 2-64 lower-case letters, digits, ".", "_" or "-"');
          return 1;
        }
        throw err;
      } finally {
        await client.close();
      }
    },
  },

  'audit verify': {
    usage: 'alpr audit verify [--config FILE]',
    summary: 'check the audit log hash chain and its anchors; names the first broken entry',
    help: `Recomputes the hash chain of the audit log (guidelines 7c) and reports the first entry that was
altered, removed or inserted. Then checks the anchors kept outside the store (<dataDir>/audit-anchors.jsonl,
each a keyed MAC of the head at a moment): a forged or altered anchor (bad MAC), anchors removed from
the file, and an anchored entry that is gone (the log's end was cut) or different (rewritten) are
each reported with the anchor's line. Asks the running appliance over NATS; when none answers, opens
the store itself (stop the appliance first for an embedded store) with the key from the environment
variable access.auditAnchor.keyEnv or <dataDir>/keys/audit-anchor.key.
Exit status: 0 intact, 1 broken, 2 could not verify (no store, or anchors but no key to check them).`,
    options: {},
    async run(_values, _positionals, config) {
      let result = await requestAuditVerify(config).catch((err: Error) => {
        console.error(err.message);
        return null;
      });
      let via = 'the running appliance';
      if (!result) {
        via = 'the store, offline';
        let client;
        try {
          client = await openStore(config);
        } catch (err) {
          console.error(`cannot verify: ${(err as Error).message}, and it did not answer over NATS`);
          return 2;
        }
        try {
          const audit = createAuditLog({ client });
          const anchoring = createAuditAnchoring({
            audit,
            dataDir: config.dataDir,
            keyEnv: config.access.auditAnchor.keyEnv,
            createKey: false,
            logger: silentLogger,
          });
          result = await withAnchoredVerify(audit, anchoring).verify();
        } finally {
          await client.close();
        }
      }
      return printVerify(result, via);
    },
  },
};
