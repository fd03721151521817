import { readFileSync } from 'node:fs';
import { parse, YAMLParseError } from 'yaml';
import { validateConfig, type ConfigResult } from '../contracts/index.ts';

/**
 * Reads and validates a YAML configuration file. No file means the safe defaults: every
 * listener on 127.0.0.1, embedded NATS and ClickHouse under ./data.
 */
export function loadConfigFile(file: string | undefined): ConfigResult {
  if (!file) return validateConfig({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ path: '(file)', message: `cannot read ${file}: ${(err as Error).message}` }] };
  }
  try {
    // uniqueKeys: a key given twice is an error, not a silent "last one wins".
    return validateConfig(parse(text, { uniqueKeys: true, prettyErrors: true }));
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const where = err.linePos?.[0] ? `line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '(file)';
      return { ok: false, problems: [{ path: where, message: err.message.split('\n')[0]! }] };
    }
    // The YAML library refuses some documents with plain errors (an alias bomb is a
    // ReferenceError): still a problem with the file, not a crash of the loader.
    return { ok: false, problems: [{ path: '(file)', message: `not a usable YAML document: ${(err as Error).message.split('\n')[0]}` }] };
  }
}
