import { z } from 'zod';
import { directionSchema, locationSchema } from './config.ts';
import { normalizePlate, US_STATES } from './plate.ts';

const isoTime = z.iso.datetime({ offset: true }).describe('ISO-8601 timestamp with zone.');

export const plateCandidateSchema = z.strictObject({
  text: z.string().min(1).max(16).describe('Alternative reading of the plate.'),
  confidence: z.number().min(0).max(1).describe('Confidence of this alternative, 0..1.'),
});

/**
 * One read: one vehicle pass in front of one camera, as the pipeline publishes it on
 * `alpr.reads.<camera>`. It holds only what the guidelines allow (1b, 6a): the plate
 * image, the OCR text, time and location of capture. No personal identifying information.
 */
export const plateReadSchema = z.strictObject({
  id: z.uuid().describe('Identifier chosen by the pipeline; the store deduplicates redeliveries on it.'),
  siteId: z.string().min(1).max(64).describe('Appliance (site) that made the read.'),
  cameraId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)
    .describe('Camera that saw the vehicle.'),
  capturedAt: isoTime.describe('Time of the best frame of the pass.'),
  firstSeenAt: isoTime.describe('First frame in which the plate was tracked.'),
  lastSeenAt: isoTime.describe('Last frame in which the plate was tracked.'),
  plate: z
    .string()
    .min(1)
    .max(16)
    .refine((p) => normalizePlate(p).length > 0, 'plate text must contain a letter or digit')
    .describe('Plate text as read (best of the multi-frame vote).'),
  confidence: z.number().min(0).max(1).describe('Confidence of the plate text, 0..1.'),
  candidates: z.array(plateCandidateSchema).max(10).default([]).describe('Runner-up readings, best first.'),
  state: z.enum(US_STATES).nullable().describe('State of issue, or null when it could not be told.'),
  stateConfidence: z.number().min(0).max(1).default(0).describe('Confidence of the state of issue.'),
  location: locationSchema,
  direction: directionSchema,
  framesSeen: z.number().int().min(1).max(100_000).describe('Frames in which the plate was tracked.'),
  box: z
    .tuple([z.number(), z.number(), z.number(), z.number()])
    .optional()
    .describe('Plate box [x, y, w, h] in the best frame, in pixels.'),
  cropJpeg: z.base64().max(400_000).optional().describe("Best plate crop as base64 JPEG; stored as the read's plate image."),
  vehicleJpeg: z
    .base64()
    .max(400_000)
    .optional()
    .describe(
      "The frame's region around the plate's vehicle as base64 JPEG, only where the agency's policy defines it (recognition.vehicleImage); stored beside the plate image, with the same retention.",
    ),
});

export type PlateRead = z.infer<typeof plateReadSchema>;
export type PlateReadInput = z.input<typeof plateReadSchema>;
