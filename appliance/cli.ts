import { parseArgs } from 'node:util';
import { z } from 'zod';
import { configSchema, createJsonLogger, type ConfigProblem } from '../contracts/index.ts';
import { createAppliance } from './appliance.ts';
import { loadConfigFile } from './config-file.ts';
import { accessCommands } from '../access/index.ts';
import { hotlistCommands } from '../hotlist/index.ts';

interface Command {
  usage: string;
  summary: string;
  help: string;
  options?: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

function printProblems(file: string, problems: ConfigProblem[]): void {
  console.error(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  for (const p of problems) console.error(`  ${p.path}: ${p.message}`);
}

const commands: Record<string, Command> = {
  appliance: {
    usage: 'alpr appliance [--config FILE]',
    summary: 'run the whole appliance: NATS, store and API, matcher, one worker per camera',
    help: `Starts nats-server with JetStream, then the core service (store, API, dashboard), the
matcher and one worker per camera, in order, and supervises them: crashed services restart
with backoff, a crash loop stops the retries. SIGTERM or SIGINT stops everything in reverse
order. Without --config the appliance runs on safe defaults: everything on 127.0.0.1, data in
./data, and a simulated camera when none is configured.`,
    options: { config: { type: 'string', short: 'c' } },
    async run(values) {
      const file = values.config as string | undefined;
      const loaded = loadConfigFile(file);
      if (!loaded.ok) {
        printProblems(file ?? '(defaults)', loaded.problems);
        return 1;
      }
      const config = loaded.config;
      const logger = createJsonLogger({ level: config.logLevel, fields: { service: 'supervisor' } });
      // Created before any signal handler, so a stop during boot stops what has started.
      const app = createAppliance(config, logger);
      let stopping = false;
      const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info('shutting down', { signal });
        // The supervisor kills services that overrun; this bounds the supervisor itself.
        const deadline = config.supervisor.stopTimeoutMs * 4 + 5000;
        setTimeout(() => {
          logger.error('shutdown overran its deadline; exiting', { deadlineMs: deadline });
          process.exit(1);
        }, deadline).unref();
        await app.stop();
        logger.info('stopped');
        process.exit(0);
      };
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      process.on('SIGINT', () => void shutdown('SIGINT'));
      try {
        await app.start();
      } catch (err) {
        if (stopping) return 0;
        logger.error('appliance failed to start', { err: err as Error });
        return 1;
      }
      if (stopping) return 0;
      await new Promise(() => {}); // runs until a signal
      return 0;
    },
  },
  simulate: {
    usage: 'alpr simulate [--cameras N] [--port P] [--width W --height H --fps F] [--passes N] [--h265] [--key FILE]',
    summary: 'serve simulated RTSP cameras with vehicles and plates of known text, and write the answer key',
    help: `Renders a road scene per camera (vehicles with plates of all 50 states and DC), encodes it once
to H.264 or H.265 (cached) and serves it in a loop over RTSP on 127.0.0.1: rtsp://127.0.0.1:PORT/cam-1 … cam-N.
Each pass of each plate is appended to the answer key (JSON lines: camera, plate, state, from, to in ms).
Runs until SIGINT/SIGTERM. Needs /usr/bin/python3 with GI and the GStreamer RTSP server (Debian packages).
Options:
  --cameras N     number of streams (default 1)
  --port P        RTSP port (default 8554)
  --width W, --height H, --fps F   picture (default 1280x720 at 15 fps)
  --passes N      vehicles per loop of the clip (default 8); --gap S seconds between them (default 3)
  --parked        add a parked car whose plate stays in view
  --h265          encode the streams as H.265 instead of H.264
  --seed N        scene seed (default 1)
  --key FILE      answer key file (default ./simulator-key.jsonl)
  --cache DIR     where encoded clips are kept (default: the system temp dir)`,
    options: {
      cameras: { type: 'string' },
      port: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      fps: { type: 'string' },
      passes: { type: 'string' },
      gap: { type: 'string' },
      parked: { type: 'boolean' },
      seed: { type: 'string' },
      key: { type: 'string' },
      cache: { type: 'string' },
      h265: { type: 'boolean' },
    },
    async run(values) {
      const { startSimulator } = await import('../pipeline/simulator/index.ts');
      const num = (k: string, d: number) => {
        const v = values[k] === undefined ? d : Number(values[k]);
        if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number`);
        return v;
      };
      const n = num('cameras', 1);
      const ids = Array.from({ length: n }, (_, i) => `cam-${i + 1}`);
      const keyFile = (values.key as string | undefined) ?? 'simulator-key.jsonl';
      console.error(`preparing ${n} clip(s)…`);
      const sim = await startSimulator({
        cameras: ids,
        port: num('port', 8554),
        keyFile,
        cacheDir: values.cache as string | undefined,
        scene: {
          width: num('width', 1280),
          height: num('height', 720),
          fps: num('fps', 15),
          passes: num('passes', 8),
          gapS: num('gap', 3),
          seed: num('seed', 1),
          parked: Boolean(values.parked),
          ...(values.h265 ? { codec: 'h265' as const } : {}),
        },
      });
      for (const id of ids) console.log(sim.url(id));
      console.error(`answer key: ${keyFile}; Ctrl-C stops`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await sim.stop();
      return 0;
    },
  },
  read: {
    usage: 'alpr read --json FILE...',
    summary: 'read the plates in still images (JPEG/PNG), one JSON line per file',
    help: `Prints one JSON line per file, plates best first:
  {"file":…,"ms":…,"plates":[{"text":"ABC1234","confidence":0.97,"box":[x,y,w,h],"state":"FL","stateConfidence":0.8}]}
ms is decoding plus recognition of that file. A file that cannot be read gets "error" and no plates; exit 1 then.
Options: --threads N (inference threads, default 2), --reader NAME (a registered model), --det-max-side PX (default 960).`,
    options: { json: { type: 'boolean' }, threads: { type: 'string' }, reader: { type: 'string' }, 'det-max-side': { type: 'string' } },
    async run(values, files) {
      if (!values.json || files.length === 0) {
        console.error('usage: alpr read --json FILE...');
        return 2;
      }
      const { readFiles } = await import('../pipeline/index.ts');
      let failed = false;
      for await (const r of readFiles(files, {
        threads: values.threads ? Number(values.threads) : undefined,
        reader: values.reader as string | undefined,
        detMaxSide: values['det-max-side'] ? Number(values['det-max-side']) : undefined,
      })) {
        if (r.error) failed = true;
        process.stdout.write(JSON.stringify(r) + '\n');
      }
      return failed ? 1 : 0;
    },
  },
  'config check': {
    usage: 'alpr config check FILE',
    summary: 'validate a configuration file and list every problem in it',
    help: 'Prints every problem at once (unknown keys, wrong types, out-of-range values, and settings CJIS forbids: a lockout above 5 attempts, the API or NATS off loopback without TLS, a session cookie without Secure over the network), each with its reason, and exits 1 if there is any.',
    async run(_values, positionals) {
      const file = positionals[0];
      if (!file) {
        console.error('usage: alpr config check FILE');
        return 2;
      }
      const loaded = loadConfigFile(file);
      if (!loaded.ok) {
        printProblems(file, loaded.problems);
        return 1;
      }
      console.log(`${file}: valid (${loaded.config.cameras.length} camera${loaded.config.cameras.length === 1 ? '' : 's'})`);
      return 0;
    },
  },
  'config schema': {
    usage: 'alpr config schema',
    summary: 'print the configuration schema (JSON Schema, every field described)',
    help: 'Prints the JSON Schema of the configuration file, with a description for every field and its default.',
    async run() {
      console.log(JSON.stringify(z.toJSONSchema(configSchema, { io: 'input' }), null, 2));
      return 0;
    },
  },
};

// Access control's commands (access/cli.ts) take the appliance configuration for the store and NATS.
for (const [name, c] of [...Object.entries(accessCommands), ...Object.entries(hotlistCommands)]) {
  commands[name] = {
    ...c,
    usage: c.usage,
    options: { ...c.options, config: { type: 'string', short: 'c' } },
    async run(values, positionals) {
      const file = values.config as string | undefined;
      const loaded = loadConfigFile(file);
      if (!loaded.ok) {
        printProblems(file ?? '(defaults)', loaded.problems);
        return 1;
      }
      return c.run(values, positionals, loaded.config);
    },
  };
}

function usage(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.length));
  return [
    'alpr: automated license plate reader appliance',
    '',
    'Commands:',
    ...Object.values(commands).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Run "alpr <command> --help" for more.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const name = commands[`${argv[0]} ${argv[1]}`] ? `${argv[0]} ${argv[1]}` : argv[0];
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    const group = Object.keys(commands).filter((k) => k.startsWith(`${name} `));
    if (group.length && (argv.length === 1 || argv.includes('--help'))) {
      console.log(group.map((k) => `  ${commands[k]!.usage}  ${commands[k]!.summary}`).join('\n'));
      return argv.includes('--help') ? 0 : 2;
    }
    console.error(`unknown command "${argv.join(' ')}"\n\n${usage()}`);
    return 2;
  }
  const rest = argv.slice(name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`usage: ${cmd.usage}\n\n${cmd.summary}\n\n${cmd.help}`);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: cmd.options ?? {}, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: ${cmd.usage}`);
    return 2;
  }
  return cmd.run(parsed.values, parsed.positionals);
}
