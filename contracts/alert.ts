import { z } from 'zod';
import { plateReadSchema } from './read.ts';

/** Guidelines 5d: shown with every alert, wherever it is displayed or sent. */
export const OWNER_REMINDER =
  'The driver of the vehicle may not be the registered owner. Verify the read and the state of issue, and confirm the record with the entering agency before acting (CJJIS ALPR guidelines 5d).';

/**
 * The vehicle a hotlist record describes (NCIC VMA, VMO, VST, VCO, VYR), as the extract writes
 * it: shown with the alert so that the operator can compare the car with the record (a "stolen
 * 2019 Honda Civic" should not be stopped as a grey pick-up).
 */
export const vehicleDescriptionSchema = z.strictObject({
  make: z.string().max(24).nullable().describe('Make (NCIC VMA), e.g. HOND.'),
  model: z.string().max(24).nullable().describe('Model (NCIC VMO), e.g. CIV.'),
  style: z.string().max(24).nullable().describe('Body style (NCIC VST), e.g. 4D.'),
  colour: z.string().max(24).nullable().describe('Colour (NCIC VCO), e.g. BLK or RED/WHI.'),
  year: z.string().max(8).nullable().describe('Model year (NCIC VYR).'),
});
export type VehicleDescription = z.infer<typeof vehicleDescriptionSchema>;

/**
 * A hotlist hit raised by the matcher. It carries the read (without its image: the
 * image is fetched from the store, through the audited image route) and the record
 * that matched, so that the operator can verify both (guidelines 5d).
 */
export const alertSchema = z.strictObject({
  id: z.uuid().describe('Alert identifier; derived from read and record so a redelivered read raises no second alert.'),
  raisedAt: z.iso.datetime({ offset: true }),
  read: plateReadSchema.omit({ cropJpeg: true, vehicleJpeg: true }),
  record: z.strictObject({
    source: z.string().min(1).describe('Hotlist source (NCIC, FCIC, DHSMV, agency list).'),
    recordId: z.string().min(1).describe('Record id / NCIC number in the source.'),
    plate: z.string().min(1),
    state: z.string().nullable(),
    category: z.string().min(1).describe('Stolen vehicle, wanted person, AMBER, expired tag…'),
    extractVersion: z.string().min(1).describe('Version of the imported extract that matched.'),
    plateType: z.string().nullable().default(null).describe('Plate type (PC passenger, TK truck …) as the source gives it.'),
    ori: z.string().nullable().default(null).describe('ORI of the entering agency, to confirm the hit with.'),
    priority: z.number().int().min(1).max(9).default(5).describe('1 most urgent.'),
    expiresAt: z.iso.datetime({ offset: true }).nullable().default(null),
    vehicle: vehicleDescriptionSchema.nullable().default(null).describe("The record's vehicle description, where the extract gives one."),
  }),
  matchKind: z.enum(['exact', 'fuzzy', 'wildcard', 'candidate']),
  score: z.number().min(0).max(1),
  match: z
    .strictObject({
      text: z.string().describe('The read text (plate or runner-up candidate) that hit.'),
      distance: z.number().int().min(0).describe('Edits beyond the OCR confusion classes.'),
      confusion: z.boolean().describe('Whether confusion classes were needed (0/O, 1/I …).'),
      stateMatch: z.enum(['same', 'unknown', 'different']),
    })
    .optional(),
  stale: z.boolean().default(false).describe("The extract was older than its source's staleness limit when it matched."),
  historical: z.boolean().default(false).describe('Raised by searching stored reads when the plate was listed, not live.'),
});
export type Alert = z.infer<typeof alertSchema>;
export type AlertInput = z.input<typeof alertSchema>;

export * from './alert-state.ts';
