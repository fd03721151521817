import { z } from 'zod';

/**
 * States the supervisor reports for each service. "failed" means it crashed too often
 * in a short window and the supervisor stopped retrying: someone must look.
 */
export const serviceStateSchema = z.enum(['starting', 'running', 'restarting', 'stopping', 'stopped', 'failed']);
export type ServiceState = z.infer<typeof serviceStateSchema>;

export const serviceStatusSchema = z.strictObject({
  name: z.string(),
  state: serviceStateSchema,
  pid: z.number().int().nullable(),
  restarts: z.number().int().min(0),
  since: z.iso.datetime(),
  lastExit: z.strictObject({ code: z.number().int().nullable(), signal: z.string().nullable(), at: z.iso.datetime() }).nullable(),
  reason: z.string().nullable().describe('Why the service is not running, when it is not.'),
});
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;

export const supervisorHealthSchema = z.strictObject({
  startedAt: z.iso.datetime(),
  services: z.array(serviceStatusSchema),
});
export type SupervisorHealth = z.infer<typeof supervisorHealthSchema>;

export const cameraStateSchema = z.strictObject({
  cameraId: z.string(),
  state: z.enum(['connecting', 'live', 'failed', 'stopped']),
  reason: z.string().nullable(),
  fps: z.number().min(0),
  lastFrameAt: z.iso.datetime().nullable(),
  at: z.iso.datetime(),
});
export type CameraState = z.infer<typeof cameraStateSchema>;
