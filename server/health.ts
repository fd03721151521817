import type { CameraState, ServiceStatus } from '../contracts/index.ts';

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  time: string;
  siteId: string;
  /** Services as the supervisor sees them; null when this process runs without one. */
  services: ServiceStatus[] | null;
  cameras: CameraState[];
  store: { healthy: boolean; lastError: string | null };
  nats: { connected: boolean };
  /** Deployment authorisation per camera (access control): reads of an unauthorised camera are not stored. */
  authorisations?: { cameraId: string; deploymentRef: string | null; authorised: boolean; deploymentId: string | null; refused: number }[];
}

/**
 * What an anonymous caller learns (GET /api/health): up or not, for a load balancer or a
 * monitor. Services with their pids, camera states and deployment authorisations describe the
 * installation to whoever asks, so they stay in the full report, for signed-in principals
 * (GET /api/health/report).
 */
export function publicHealth(h: HealthReport): Pick<HealthReport, 'status' | 'time'> {
  return { status: h.status, time: h.time };
}

/**
 * Overall status from the parts: "down" when the store or NATS is gone (no read can be
 * kept), "degraded" when a service is failed or restarting or a camera is not live.
 */
export function overallStatus(h: Omit<HealthReport, 'status'>): HealthReport['status'] {
  if (!h.store.healthy || !h.nats.connected) return 'down';
  const badService = h.services?.some((s) => s.state !== 'running') ?? false;
  const badCamera = h.cameras.some((c) => c.state !== 'live') || (h.authorisations?.some((a) => !a.authorised) ?? false);
  return badService || badCamera ? 'degraded' : 'ok';
}
