import { z } from 'zod';
import { plateReadSchema } from './read.ts';

/**
 * A hotlist hit raised by the matcher. It carries the read (without its image: the
 * image is fetched from the store, through the audited image route) and the record
 * that matched, so that the operator can verify both (guidelines 5d).
 */
export const alertSchema = z.strictObject({
  id: z.uuid().describe('Alert identifier; derived from read and record so a redelivered read raises no second alert.'),
  raisedAt: z.iso.datetime({ offset: true }),
  read: plateReadSchema.omit({ cropJpeg: true }),
  record: z.strictObject({
    source: z.string().min(1).describe('Hotlist source (NCIC, FCIC, DHSMV, agency list).'),
    recordId: z.string().min(1).describe('Record id / NCIC number in the source.'),
    plate: z.string().min(1),
    state: z.string().nullable(),
    category: z.string().min(1).describe('Stolen vehicle, wanted person, AMBER, expired tag…'),
    extractVersion: z.string().min(1).describe('Version of the imported extract that matched.'),
  }),
  matchKind: z.enum(['exact', 'fuzzy', 'wildcard', 'candidate']),
  score: z.number().min(0).max(1),
});
export type Alert = z.infer<typeof alertSchema>;
