import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import type { CameraConfig, Logger, PlateRead } from '../contracts/index.ts';
import { OnceCounter } from '../server/index.ts';
import { nextVersion } from './versions.ts';

/**
 * Deployment authorisations (guidelines 2d, 5b, 5e): who authorised which camera, when, where,
 * how (fixed or mobile), under which public-view attestation and for what purpose. Changes
 * and rescissions are new versions, so the history stays. A camera without an active
 * authorisation is not ingested: the store writer asks the gate below about every read.
 */
export const deploymentIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/, 'letters, digits, ".", "_" or "-" (at most 120)');

export interface Deployment {
  id: string;
  cameraId: string;
  status: 'active' | 'rescinded';
  mode: 'fixed' | 'mobile';
  location: { lat: number; lon: number; description: string };
  publicView: boolean;
  purpose: string;
  authorizedBy: string;
  authorizedAt: string;
  validFrom: string;
  validUntil: string | null;
  changedBy: string;
  changedAt: string;
  change: string;
}

interface Row {
  id: string;
  camera_id: string;
  status: string;
  mode: string;
  location_desc: string;
  lat: number;
  lon: number;
  public_view: number;
  purpose: string;
  authorized_by: string;
  authorized_at: string;
  valid_from: string;
  valid_until: string | null;
  changed_by: string;
  changed_at: string;
  change: string;
}

const ms = (v: string) => new Date(Number(v)).toISOString();
const fromRow = (r: Row): Deployment => ({
  id: r.id,
  cameraId: r.camera_id,
  status: r.status === 'active' ? 'active' : 'rescinded',
  mode: r.mode === 'mobile' ? 'mobile' : 'fixed',
  location: { lat: r.lat, lon: r.lon, description: r.location_desc },
  publicView: r.public_view === 1,
  purpose: r.purpose,
  authorizedBy: r.authorized_by,
  authorizedAt: ms(r.authorized_at),
  validFrom: ms(r.valid_from),
  validUntil: r.valid_until === null ? null : ms(r.valid_until),
  changedBy: r.changed_by,
  changedAt: ms(r.changed_at),
  change: r.change,
});

const SELECT = `SELECT id, camera_id, status, mode, location_desc, lat, lon, public_view, purpose, authorized_by,
  toUnixTimestamp64Milli(authorized_at) AS authorized_at, toUnixTimestamp64Milli(valid_from) AS valid_from,
  if(isNull(valid_until), NULL, toUnixTimestamp64Milli(assumeNotNull(valid_until))) AS valid_until, changed_by,
  toUnixTimestamp64Milli(changed_at) AS changed_at, change FROM deployments`;

async function select(client: ClickHouseClient, where: string, params: Record<string, unknown>, final = true): Promise<Deployment[]> {
  const rs = await client.query({
    query: `${SELECT} ${final ? 'FINAL' : ''} WHERE ${where} ORDER BY id, version`,
    query_params: params,
    format: 'JSONEachRow',
  });
  return (await rs.json<Row>()).map(fromRow);
}

export const listDeployments = (client: ClickHouseClient) => select(client, '1', {});
export const getDeployment = async (client: ClickHouseClient, id: string) => (await select(client, 'id = {id:String}', { id }))[0] ?? null;
export const deploymentHistory = (client: ClickHouseClient, id: string) => select(client, 'id = {id:String}', { id }, false);

export async function putDeployment(client: ClickHouseClient, d: Omit<Deployment, 'changedAt'>, now: Date): Promise<Deployment> {
  await client.insert({
    table: 'deployments',
    format: 'JSONEachRow',
    values: [
      {
        id: d.id,
        version: nextVersion(now.getTime()).toString(),
        camera_id: d.cameraId,
        status: d.status,
        mode: d.mode,
        location_desc: d.location.description,
        lat: d.location.lat,
        lon: d.location.lon,
        public_view: d.publicView ? 1 : 0,
        purpose: d.purpose,
        authorized_by: d.authorizedBy,
        authorized_at: Date.parse(d.authorizedAt),
        valid_from: Date.parse(d.validFrom),
        valid_until: d.validUntil === null ? null : Date.parse(d.validUntil),
        changed_by: d.changedBy,
        changed_at: now.getTime(),
        change: d.change,
      },
    ],
  });
  return { ...d, changedAt: now.toISOString() };
}

export interface DeploymentEvent {
  id: string;
  deploymentId: string;
  at: string;
  kind: 'result' | 'exception';
  note: string;
  recordedBy: string;
}

export async function addDeploymentEvent(
  client: ClickHouseClient,
  e: Omit<DeploymentEvent, 'id' | 'at'>,
  now: Date,
): Promise<DeploymentEvent> {
  const id = randomUUID();
  await client.insert({
    table: 'deployment_events',
    format: 'JSONEachRow',
    values: [{ id, deployment_id: e.deploymentId, at: now.getTime(), kind: e.kind, note: e.note, recorded_by: e.recordedBy }],
  });
  return { ...e, id, at: now.toISOString() };
}

export async function listDeploymentEvents(client: ClickHouseClient, deploymentId?: string): Promise<DeploymentEvent[]> {
  const rs = await client.query({
    query: `SELECT id, deployment_id, toUnixTimestamp64Milli(at) AS at, kind, note, recorded_by FROM deployment_events
            ${deploymentId ? 'WHERE deployment_id = {d:String}' : ''} ORDER BY deployment_id, at`,
    query_params: deploymentId ? { d: deploymentId } : {},
    format: 'JSONEachRow',
  });
  return (await rs.json<{ id: string; deployment_id: string; at: string; kind: string; note: string; recorded_by: string }>()).map((r) => ({
    id: r.id,
    deploymentId: r.deployment_id,
    at: ms(r.at),
    kind: r.kind === 'exception' ? 'exception' : 'result',
    note: r.note,
    recordedBy: r.recorded_by,
  }));
}

/**
 * The authorisation covering a read by this camera at this time, or null. When the camera's
 * configuration names a deployment reference, only that deployment counts.
 */
export function coveringAuthorisation(
  deployments: readonly Deployment[],
  cameraId: string,
  at: Date,
  deploymentRef?: string,
): Deployment | null {
  const t = at.getTime();
  return (
    deployments.find(
      (d) =>
        d.status === 'active' &&
        d.cameraId === cameraId &&
        (deploymentRef === undefined || d.id === deploymentRef) &&
        d.publicView &&
        Date.parse(d.validFrom) <= t &&
        (d.validUntil === null || t < Date.parse(d.validUntil)),
    ) ?? null
  );
}

export interface CameraAuthorisation {
  cameraId: string;
  deploymentRef: string | null;
  authorised: boolean;
  deploymentId: string | null;
  /** Reads refused since the core started. */
  refused: number;
}

/**
 * Decides, read by read, whether the store may ingest it. Authorisations are cached and
 * re-read every few seconds (and at once after a change through the API), so the check
 * costs nothing per read but a rescission takes effect within seconds.
 */
export function createDeploymentGate(opts: {
  client: ClickHouseClient;
  cameras: CameraConfig[];
  logger: Logger;
  enforce: boolean;
  refreshMs?: number;
  clock?: () => Date;
  /** Called once per refused read (a read asked about again is not counted again). */
  onRefused?: (cameraId: string) => void;
}) {
  const { client, logger } = opts;
  const clock = opts.clock ?? (() => new Date());
  const refreshMs = opts.refreshMs ?? 5000;
  const refs = new Map(opts.cameras.map((c) => [c.id, c.deploymentRef]));
  // Each read counts once: the writer asks again about a redelivered batch, the camera's spool
  // about a read it wants confirmed, and neither is one more refused read.
  const refused = new OnceCounter();
  const lastWarned = new Map<string, number>();
  let cache: Deployment[] = [];
  let loadedAt = -Infinity;
  let loading: Promise<void> | null = null;

  const refresh = () =>
    (loading ??= listDeployments(client)
      .then((d) => {
        cache = d;
        loadedAt = Date.now();
      })
      .finally(() => {
        loading = null;
      }));

  return {
    /** null to ingest the read, or why it is refused. */
    async admit(read: Pick<PlateRead, 'cameraId' | 'capturedAt'> & { id?: string }): Promise<string | null> {
      if (!opts.enforce) return null;
      if (Date.now() - loadedAt > refreshMs) await refresh();
      const ref = refs.get(read.cameraId);
      if (coveringAuthorisation(cache, read.cameraId, new Date(read.capturedAt), ref)) return null;
      // Without an id (an older caller), each question counts: better over than under.
      if (refused.add(read.cameraId, read.id ?? randomUUID())) opts.onRefused?.(read.cameraId);
      const reason = `camera ${read.cameraId} has no active deployment authorisation${ref ? ` (configured reference ${ref})` : ''} covering ${read.capturedAt}`;
      if ((lastWarned.get(read.cameraId) ?? 0) < Date.now() - 60_000) {
        lastWarned.set(read.cameraId, Date.now());
        logger.warn('read refused: camera not authorised (guidelines 2d); authorise the deployment to ingest its reads', {
          cameraId: read.cameraId,
          deploymentRef: ref ?? null,
          refusedSoFar: refused.count(read.cameraId),
        });
      }
      return reason;
    },
    /** Forces a re-read of the authorisations (after the API changed one). */
    invalidate(): Promise<void> {
      loadedAt = -Infinity;
      return refresh();
    },
    /** Per camera (configured or seen): authorised now, and reads refused so far. */
    async status(): Promise<CameraAuthorisation[]> {
      if (Date.now() - loadedAt > refreshMs) await refresh();
      const ids = new Set([...refs.keys(), ...refused.groups()]);
      return [...ids].sort().map((cameraId) => {
        const d = coveringAuthorisation(cache, cameraId, clock(), refs.get(cameraId));
        return {
          cameraId,
          deploymentRef: refs.get(cameraId) ?? null,
          authorised: !opts.enforce || d !== null,
          deploymentId: d?.id ?? null,
          refused: refused.count(cameraId),
        };
      });
    },
  };
}

export type DeploymentGate = ReturnType<typeof createDeploymentGate>;
