/**
 * The structured logger every part receives by injection (as clickhouse-js does), so
 * that tests can capture logs and the appliance can route them without global state.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON-lines logger: one object per line, machine-readable for the appliance's log shipping. */
export function createJsonLogger(
  opts: { level?: LogLevel; fields?: Record<string, unknown>; write?: (line: string) => void } = {},
): Logger {
  const min = order[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = opts.fields ?? {};
  const log = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, ...base, msg, ...fields };
    for (const [k, v] of Object.entries(entry)) if (v instanceof Error) entry[k] = { message: v.message, name: v.name };
    write(JSON.stringify(entry));
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createJsonLogger({ ...opts, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything: for tests that do not look at logs. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
