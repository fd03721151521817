import { createHash } from 'node:crypto';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { StoredRead } from '../store/index.ts';
import { READ_CSV_COLUMNS, readCsvRow } from './csv.ts';

/**
 * The case file as one zip (issue 31, point 7): the reads as CSV, each read's plate image (and
 * vehicle image, where the agency stores one) as a JPEG, and manifest.json saying which case, who exported it and when, each read's fields and
 * image file, and the SHA-256 of every file, so that whoever receives it can check that nothing
 * was changed or left out. JPEGs are stored as they are (compressing them again gains nothing);
 * the CSV and manifest are deflated.
 */
export interface CaseFileInput {
  caseRef: string;
  purpose: string;
  exportedBy: string;
  exportedAt: Date;
  /** The search the reads came from, as asked (query parameters). */
  search: Record<string, string>;
  reads: StoredRead[];
  /** More reads matched than the export's limit: the file says so rather than looking complete. */
  truncated: boolean;
  /** A read's plate image, or null when none was taken or it was purged. */
  image: (readId: string) => Promise<Uint8Array | null>;
  /** The reads stored with a vehicle image (only where the agency's policy defines one), and that image. */
  vehicleImages?: { has: ReadonlySet<string>; get: (readId: string) => Promise<Uint8Array | null> };
}

export interface CaseFileManifest {
  format: 'alpr-case-file/1';
  case: { caseRef: string; purpose: string };
  exportedBy: string;
  exportedAt: string;
  search: Record<string, string>;
  truncated: boolean;
  reads: (Omit<StoredRead, 'match' | 'hasImage'> & {
    image: string | null;
    imageSha256: string | null;
    vehicleImage: string | null;
    vehicleImageSha256: string | null;
  })[];
  /** Every other file in the zip, with its size and SHA-256. */
  files: { name: string; bytes: number; sha256: string }[];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export async function buildCaseFile(input: CaseFileInput): Promise<{ zip: Uint8Array; manifest: CaseFileManifest; sha256: string }> {
  const mtime = input.exportedAt;
  const images: Zippable = {};
  const files: CaseFileManifest['files'] = [];
  const reads: CaseFileManifest['reads'] = [];
  const csv: string[] = [READ_CSV_COLUMNS.join(',')];
  const add = (name: string, jpeg: Uint8Array | null) => {
    if (!jpeg) return { file: null, hash: null };
    const hash = sha256(jpeg);
    images[name] = [jpeg, { level: 0, mtime }];
    files.push({ name, bytes: jpeg.length, sha256: hash });
    return { file: name, hash };
  };
  for (const r of input.reads) {
    const plate = add(`images/${r.id}.jpg`, r.hasImage ? await input.image(r.id) : null);
    const vehicle = add(`images/${r.id}-vehicle.jpg`, input.vehicleImages?.has.has(r.id) ? await input.vehicleImages.get(r.id) : null);
    const { match: _match, hasImage: _hasImage, ...fields } = r;
    reads.push({ ...fields, image: plate.file, imageSha256: plate.hash, vehicleImage: vehicle.file, vehicleImageSha256: vehicle.hash });
    csv.push(readCsvRow(r, plate.file ?? ''));
  }
  const csvBytes = strToU8(csv.join('\n') + '\n');
  files.unshift({ name: 'reads.csv', bytes: csvBytes.length, sha256: sha256(csvBytes) });
  const manifest: CaseFileManifest = {
    format: 'alpr-case-file/1',
    case: { caseRef: input.caseRef, purpose: input.purpose },
    exportedBy: input.exportedBy,
    exportedAt: input.exportedAt.toISOString(),
    search: input.search,
    truncated: input.truncated,
    reads,
    files,
  };
  const zip = zipSync({
    'manifest.json': [strToU8(JSON.stringify(manifest, null, 2) + '\n'), { level: 6, mtime }],
    'reads.csv': [csvBytes, { level: 6, mtime }],
    ...images,
  });
  return { zip, manifest, sha256: sha256(zip) };
}
