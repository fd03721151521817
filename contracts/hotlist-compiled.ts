import { createGzip, createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { VehicleDescription } from './alert.ts';

/**
 * One hotlist record in canonical form, whatever file it came from. Every text field is
 * printable and free of tabs and newlines, so that the compiled version (below)
 * can carry it as tab-separated text without escaping.
 */
export interface HotlistRecord {
  recordId: string;
  /** Normalised plate (A-Z0-9), or a wildcard pattern with ? and * when `wildcard`. */
  plate: string;
  wildcard: boolean;
  state: string | null;
  plateType: string | null;
  category: string;
  ori: string | null;
  enteredAt: number | null;
  expiresAt: number | null;
  priority: number;
  notes: string | null;
  /** The vehicle the record describes (NCIC VMA, VMO, VST, VCO, VYR), where the extract gives it. */
  vehicle?: VehicleDescription | null;
}

/**
 * The compiled form of a hotlist version, as the core hands it to the matcher: gzip'd
 * tab-separated canonical records, one per line, with a header line naming the format.
 * Canonical fields hold no tabs or newlines (hotlist/record.ts refuses control characters), so no
 * escaping is needed and the matcher parses 10 million lines in seconds. Notes stay out:
 * the matcher needs only what an alert carries.
 */
export const COMPILED_HEADER = 'alpr-hotlist-v2\trecordId\tplate\twildcard\tstate\tplateType\tcategory\tori\tpriority\texpiresAt\tvehicle';
/** Versions compiled before the vehicle description travelled with the records: still read. */
const COMPILED_HEADER_V1 = 'alpr-hotlist-v1\trecordId\tplate\twildcard\tstate\tplateType\tcategory\tori\tpriority\texpiresAt';

/**
 * The vehicle description as one field: make, model, style, colour, year joined by the unit
 * separator (canonical text holds no control characters), empty for none.
 */
const UNIT = '\u001f';
export function vehicleField(v: VehicleDescription | null | undefined): string {
  return v ? [v.make, v.model, v.style, v.colour, v.year].map((x) => x ?? '').join(UNIT) : '';
}
export function parseVehicle(f: string | undefined): VehicleDescription | null {
  if (!f) return null;
  const [make, model, style, colour, year] = f.split(UNIT).map((x) => x || null);
  return { make: make ?? null, model: model ?? null, style: style ?? null, colour: colour ?? null, year: year ?? null };
}

export class CompiledFormatError extends Error {
  override readonly name = 'CompiledFormatError';
}

export function compiledLine(r: HotlistRecord): string {
  return `${r.recordId}\t${r.plate}\t${r.wildcard ? 1 : 0}\t${r.state ?? ''}\t${r.plateType ?? ''}\t${r.category}\t${r.ori ?? ''}\t${r.priority}\t${r.expiresAt ?? ''}\t${vehicleField(r.vehicle)}\n`;
}

/** A writer that gzips lines as they come; `finish()` resolves with the whole object's bytes. */
export function createCompiledWriter() {
  const gz = createGzip({ level: 1 });
  const chunks: Buffer[] = [];
  gz.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    gz.on('end', () => resolve(Buffer.concat(chunks)));
    gz.on('error', reject);
  });
  let buf = COMPILED_HEADER + '\n';
  return {
    add(r: HotlistRecord) {
      buf += compiledLine(r);
      if (buf.length > 1 << 20) {
        gz.write(buf);
        buf = '';
      }
    },
    finish(): Promise<Buffer> {
      gz.end(buf);
      return done;
    },
  };
}

export type CompiledRecord = Pick<
  HotlistRecord,
  'recordId' | 'plate' | 'wildcard' | 'state' | 'plateType' | 'category' | 'ori' | 'priority' | 'expiresAt' | 'vehicle'
>;

/** Reads a compiled version (gzip'd chunks) and calls `onRecord` for each record. */
export async function readCompiled(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  onRecord: (r: CompiledRecord) => void,
): Promise<number> {
  const gunzip = Readable.from(chunks as AsyncIterable<Uint8Array>).pipe(createGunzip());
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let header = false;
  let fields = 10;
  let count = 0;
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    const text = rest + decoder.write(chunk);
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (!header) {
        if (line !== COMPILED_HEADER && line !== COMPILED_HEADER_V1)
          throw new CompiledFormatError('not a compiled hotlist (header mismatch)');
        fields = line === COMPILED_HEADER ? 10 : 9;
        header = true;
        continue;
      }
      const f = line.split('\t');
      if (f.length !== fields) throw new CompiledFormatError(`compiled record ${count + 1} has ${f.length} fields`);
      onRecord({
        recordId: f[0]!,
        plate: f[1]!,
        wildcard: f[2] === '1',
        state: f[3] || null,
        plateType: f[4] || null,
        category: f[5]!,
        ori: f[6] || null,
        priority: Number(f[7]),
        expiresAt: f[8] ? Number(f[8]) : null,
        vehicle: parseVehicle(f[9]),
      });
      count++;
    }
  }
  if (rest !== '' || !header) throw new CompiledFormatError('compiled hotlist truncated');
  return count;
}
