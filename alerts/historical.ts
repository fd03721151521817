import type { ClickHouseClient } from '@clickhouse/client';
import type { JetStreamClient } from '@nats-io/jetstream';
import { publishAlert, type Alert, type Logger } from '../contracts/index.ts';
import { searchReads, type StoredRead } from '../store/index.ts';
import { listRecords, newlyListedPlates, type HotlistVersion } from '../hotlist/index.ts';
import { alertId, scoreHit, stateMatch } from '../matcher/index.ts';

/**
 * Historical hits: when a version lists plates the previous one did not, the stored reads of
 * the tactical window are searched for them (exact plate and runner-up candidates, through
 * store/search.ts) and each read found raises an alert marked historical. The alert id is the
 * one a live match of that read would have had, so a read already alerted raises nothing new.
 */
export interface HistoricalOptions {
  client: ClickHouseClient;
  js: JetStreamClient;
  tacticalDays: number;
  maxPlates: number;
  logger: Logger;
  clock?: () => Date;
}

function readOf(r: StoredRead): Alert['read'] | null {
  if (!r.location) return null;
  return {
    id: r.id,
    siteId: r.siteId,
    cameraId: r.cameraId,
    capturedAt: r.capturedAt,
    firstSeenAt: r.firstSeenAt,
    lastSeenAt: r.lastSeenAt,
    plate: r.plate,
    confidence: r.confidence,
    candidates: r.candidates,
    state: r.state as Alert['read']['state'],
    stateConfidence: r.stateConfidence,
    location: { lat: r.location.lat, lon: r.location.lon, description: r.location.description },
    direction: r.location.direction as Alert['read']['direction'],
    framesSeen: r.framesSeen,
  };
}

/**
 * Reads of `plate` that already raised a hit on this list (an alert, or a sighting of one),
 * whatever record it came from: an entry removed and added again (a new record id, so new hit
 * ids) must not raise those reads again.
 */
async function alertedReads(client: ClickHouseClient, source: string, plate: string, readIds: string[]): Promise<Set<string>> {
  const rs = await client.query({
    query: `SELECT toString(read_id) AS rid FROM alerts
            WHERE source = {source:String} AND plate = {plate:String} AND read_id IN {ids:Array(UUID)}
            UNION ALL
            SELECT toString(read_id) AS rid FROM alert_sightings
            WHERE read_id IN {ids:Array(UUID)}
              AND alert_id IN (SELECT id FROM alerts WHERE source = {source:String} AND plate = {plate:String})`,
    query_params: { source, plate, ids: readIds },
    format: 'JSONEachRow',
  });
  return new Set((await rs.json<{ rid: string }>()).map((r) => r.rid));
}

export async function raiseHistoricalHits(
  opts: HistoricalOptions,
  version: HotlistVersion,
  previous: HotlistVersion | null,
): Promise<{ plates: number; alerts: number; truncated: boolean }> {
  const { client, logger } = opts;
  const now = (opts.clock ?? (() => new Date()))();
  const { plates, truncated } = await newlyListedPlates(client, version.versionId, previous?.versionId ?? null, opts.maxPlates);
  if (truncated)
    logger.warn('more newly listed plates than hotlists.historicalMaxPlates; the rest are not searched', {
      version: version.versionId,
      searched: plates.length,
    });
  let raised = 0;
  for (const plate of plates) {
    const reads = await searchReads(
      client,
      { plate, candidates: true, from: new Date(now.getTime() - opts.tacticalDays * 86_400_000), limit: 200, offset: 0 },
      opts.tacticalDays,
    );
    if (!reads.length) continue;
    const records = await listRecords(client, version.versionId, { plate, limit: 50, offset: 0 });
    const raisedBefore = await alertedReads(
      client,
      version.source,
      plate,
      reads.map((r) => r.id),
    );
    for (const r of reads) {
      const read = readOf(r);
      if (!read || raisedBefore.has(read.id)) continue;
      for (const rec of records) {
        if (rec.expiresAt !== null && rec.expiresAt <= now.getTime()) continue;
        const viaCandidate = r.match?.kind === 'candidate';
        const sm = stateMatch(read.state, rec.state);
        const alert: Alert = {
          id: alertId(read.id, version.source, rec.recordId),
          raisedAt: now.toISOString(),
          read,
          record: {
            source: version.source,
            recordId: rec.recordId,
            plate: rec.plate,
            state: rec.state,
            category: rec.category,
            extractVersion: version.versionId,
            plateType: rec.plateType,
            ori: rec.ori,
            priority: rec.priority,
            expiresAt: rec.expiresAt ? new Date(rec.expiresAt).toISOString() : null,
            vehicle: rec.vehicle ?? null,
          },
          matchKind: viaCandidate ? 'candidate' : 'exact',
          score: scoreHit({
            wildcard: false,
            distance: 0,
            confusion: false,
            candidate: viaCandidate ? { confidence: r.candidates.find((c) => c.text === r.match?.term)?.confidence ?? 0 } : null,
            stateMatch: sm,
          }),
          match: { text: r.match?.term ?? r.plateNorm, distance: 0, confusion: false, stateMatch: sm },
          stale: false,
          historical: true,
        };
        await publishAlert(opts.js, alert);
        raised++;
      }
    }
  }
  if (raised) logger.info('historical hits raised', { version: version.versionId, plates: plates.length, alerts: raised });
  return { plates: plates.length, alerts: raised, truncated };
}
