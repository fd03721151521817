import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { HotlistFormatError, pickFields, resolveColumns, type FieldMapping } from './mappings.ts';
import { RECORD_FIELDS, RecordError, toRecord, type HotlistRecord, type RecordField } from './record.ts';

/**
 * Streaming hotlist parser for CSV (RFC 4180: quoted fields, doubled quotes, quoted line
 * breaks) and JSON lines. It never aborts on a bad line: each one is reported with its line
 * number and reason and the rest goes on. It refuses the whole file when it is not text
 * (UTF-16, binary), has no usable header, or is mostly garbage, because importing the few
 * lines that happen to parse out of a corrupt extract would silently drop the rest.
 */
export interface LineProblem {
  line: number;
  reason: string;
}

export interface ParseSummary {
  /** Data lines seen (header and blank lines excluded). */
  lines: number;
  records: number;
  bad: number;
  /** The first problems (at most maxProblems); `bad` counts them all. */
  problems: LineProblem[];
  bytes: number;
  checksum: string;
}

export interface ParserOptions {
  format: 'csv' | 'jsonl';
  mapping: FieldMapping;
  /** Share of bad data lines above which the file is refused whole. */
  maxBadFraction: number;
  onRecord(record: HotlistRecord, line: number): void;
  maxProblems?: number;
  /**
   * A file with no record is a version with no entries, not a refusal: an agency list whose
   * last entry is removed by hand. An extract with no record is refused (a truncated export).
   */
  allowEmpty?: boolean;
}

/** The file is refused whole; `summary` still lists the problems found up to that point. */
export class HotlistRefusedError extends Error {
  override readonly name = 'HotlistRefusedError';
  constructor(
    message: string,
    readonly summary: ParseSummary,
  ) {
    super(message);
  }
}

export const MAX_LINE_BYTES = 64 * 1024;
/** A quoted field may span lines, but not without end: a stray quote must not swallow the file. */
const MAX_QUOTED_LINES = 20;
/** After this many lines a file that is more than half garbage is refused without reading on. */
const EARLY_VERDICT_LINES = 2000;

/** Splits one CSV record; returns null while a quoted field is still open at the end of `text`. */
export function splitCsv(text: string): string[] | null {
  if (!text.includes('"')) return text.split(',');
  const out: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
    i++;
  }
  if (quoted) return null;
  out.push(field);
  return out;
}

/** The cell at column i, undefined where the file has no such column (i < 0). */
function cell(parts: string[], i: number): string | undefined {
  return i < 0 ? undefined : parts[i];
}

export function createHotlistParser(opts: ParserOptions) {
  const maxProblems = opts.maxProblems ?? 1000;
  const hash = createHash('sha256');
  const summary: ParseSummary = { lines: 0, records: 0, bad: 0, problems: [], bytes: 0, checksum: '' };
  let carry: Buffer = Buffer.alloc(0);
  let lineNo = 0;
  let first = true;
  let skippingLongLine = false;
  let columns: Partial<Record<RecordField, number>> | null = null;
  // Column index of each record field, -1 where the file has none: rows become one object
  // shape (see csvRecord), which V8 builds and reads much faster than keys added one by one.
  let at: Record<RecordField, number> | null = null;
  let headerWidth = 0;
  let pending: { start: number; text: string; parts: number } | null = null;

  const problem = (line: number, reason: string) => {
    summary.bad++;
    if (summary.problems.length < maxProblems) summary.problems.push({ line, reason });
    if (summary.lines >= EARLY_VERDICT_LINES && summary.bad * 2 > summary.lines) {
      throw new HotlistRefusedError(
        `refused: ${summary.bad} of the first ${summary.lines} lines are malformed; the file is mostly garbage`,
        finish(),
      );
    }
  };

  function finish(): ParseSummary {
    summary.checksum = hash.copy().digest('hex');
    return { ...summary, problems: [...summary.problems] };
  }

  function accept(fields: Partial<Record<RecordField, string>>, line: number) {
    try {
      opts.onRecord(toRecord(fields), line);
      summary.records++;
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      problem(line, err.message);
    }
  }

  function csvRecord(parts: string[], line: number) {
    if (!columns) {
      columns = resolveColumns(parts, opts.mapping);
      const c = columns;
      at = Object.fromEntries(RECORD_FIELDS.map((f) => [f, c[f] ?? -1])) as Record<RecordField, number>;
      headerWidth = parts.length;
      return;
    }
    summary.lines++;
    if (parts.length !== headerWidth) {
      problem(line, `${parts.length} fields where the header has ${headerWidth}${parts.length < headerWidth ? ' (truncated line?)' : ''}`);
      return;
    }
    const a = at!;
    const p = parts;
    accept(
      {
        plate: cell(p, a.plate),
        state: cell(p, a.state),
        plateType: cell(p, a.plateType),
        recordId: cell(p, a.recordId),
        category: cell(p, a.category),
        ori: cell(p, a.ori),
        enteredAt: cell(p, a.enteredAt),
        expiresAt: cell(p, a.expiresAt),
        priority: cell(p, a.priority),
        notes: cell(p, a.notes),
        vehicleMake: cell(p, a.vehicleMake),
        vehicleModel: cell(p, a.vehicleModel),
        vehicleStyle: cell(p, a.vehicleStyle),
        vehicleColour: cell(p, a.vehicleColour),
        vehicleYear: cell(p, a.vehicleYear),
      },
      line,
    );
  }

  function jsonRecord(text: string, line: number) {
    summary.lines++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      problem(line, 'not valid JSON');
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problem(line, 'not a JSON object');
      return;
    }
    let fields: Partial<Record<RecordField, string>>;
    try {
      fields = pickFields(value as Record<string, unknown>, opts.mapping);
    } catch (err) {
      problem(line, (err as Error).message);
      return;
    }
    accept(fields, line);
  }

  function handleLine(raw: string, line: number) {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (pending) {
      pending.text += '\n' + text;
      pending.parts++;
      const parts = splitCsv(pending.text);
      if (parts) {
        const start = pending.start;
        pending = null;
        csvRecord(parts, start);
      } else if (pending.parts >= MAX_QUOTED_LINES || pending.text.length > MAX_LINE_BYTES) {
        const start = pending.start;
        pending = null;
        if (!columns) throw new HotlistFormatError('the header row has an unterminated quote');
        summary.lines++;
        problem(start, `quoted field not closed within ${MAX_QUOTED_LINES} lines`);
      }
      return;
    }
    if (text.trim() === '') return;
    if (opts.format === 'jsonl') return jsonRecord(text, line);
    const parts = splitCsv(text);
    if (parts) csvRecord(parts, line);
    else pending = { start: line, text, parts: 1 };
  }

  function badLine(line: number, reason: string) {
    if (pending) return; // inside an open quote the line belongs to that record
    summary.lines++;
    problem(line, reason);
  }

  function consume(buf: Buffer, final: boolean) {
    let start = 0;
    // Valid UTF-8 decodes in one go; otherwise line by line, so that one badly encoded line
    // (Latin-1 notes, a binary splice) is reported alone instead of corrupting its neighbours.
    const lastNl = final ? buf.length : buf.lastIndexOf(10) + 1;
    const region = buf.subarray(0, lastNl);
    if (isUtf8(region)) {
      const lines = region.toString('utf8').split('\n');
      if (!final || lines.at(-1) === '') lines.pop();
      for (const l of lines) {
        lineNo++;
        if (skippingLongLine) {
          skippingLongLine = false;
          continue;
        }
        if (Buffer.byteLength(l) > MAX_LINE_BYTES) badLine(lineNo, `line longer than ${MAX_LINE_BYTES} bytes`);
        else handleLine(l, lineNo);
      }
      start = lastNl;
    } else {
      while (start < lastNl) {
        let nl = buf.indexOf(10, start);
        if (nl < 0 || nl >= lastNl) nl = lastNl;
        const lineBuf = buf.subarray(start, nl);
        start = nl + 1;
        lineNo++;
        if (skippingLongLine) {
          skippingLongLine = false;
          continue;
        }
        if (lineBuf.length > MAX_LINE_BYTES) badLine(lineNo, `line longer than ${MAX_LINE_BYTES} bytes`);
        else if (!isUtf8(lineBuf)) badLine(lineNo, 'not UTF-8 text (save the file as UTF-8)');
        else handleLine(lineBuf.toString('utf8'), lineNo);
      }
      start = Math.min(start, buf.length);
    }
    carry = final ? Buffer.alloc(0) : buf.subarray(start);
    if (carry.length > MAX_LINE_BYTES) {
      // A line with no end in sight: report it once and drop bytes until its newline.
      if (!skippingLongLine) badLine(lineNo + 1, `line longer than ${MAX_LINE_BYTES} bytes`);
      skippingLongLine = true;
      carry = Buffer.alloc(0);
    }
  }

  return {
    push(chunk: Uint8Array): void {
      hash.update(chunk);
      summary.bytes += chunk.length;
      let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (first) {
        first = false;
        if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
          throw new HotlistRefusedError('refused: the file is UTF-16; export it as UTF-8 (or ASCII) text', finish());
        }
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      }
      consume(carry.length ? Buffer.concat([carry, buf]) : buf, false);
    },
    /** Ends the file: returns the summary, or throws HotlistRefusedError / HotlistFormatError. */
    end(): ParseSummary {
      if (carry.length || pending) consume(carry, true);
      if (pending) {
        const p: { start: number } = pending;
        pending = null;
        summary.lines++;
        summary.bad++;
        if (summary.problems.length < maxProblems)
          summary.problems.push({ line: p.start, reason: 'quoted field not closed at end of file (truncated file?)' });
      }
      if (opts.format === 'csv' && !columns) throw new HotlistFormatError('the file is empty: no header row');
      const done = finish();
      if (done.records === 0 && !(opts.allowEmpty && done.lines === 0))
        throw new HotlistRefusedError(`refused: no valid record in ${done.lines} data lines`, done);
      if (done.bad > opts.maxBadFraction * done.lines) {
        throw new HotlistRefusedError(
          `refused: ${done.bad} of ${done.lines} lines are malformed (more than ${Math.round(opts.maxBadFraction * 1000) / 10}%); nothing was imported`,
          done,
        );
      }
      return done;
    },
  };
}

/** Parses a whole in-memory file (tests, small uploads). */
export function parseHotlist(data: Uint8Array, opts: Omit<ParserOptions, 'onRecord'>): { records: HotlistRecord[]; summary: ParseSummary } {
  const records: HotlistRecord[] = [];
  const p = createHotlistParser({ ...opts, onRecord: (r) => records.push(r) });
  // In slices, so that tests exercise the same chunk boundaries a stream has.
  for (let i = 0; i < data.length; i += 64 * 1024) p.push(data.subarray(i, i + 64 * 1024));
  return { records, summary: p.end() };
}
