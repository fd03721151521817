import type { ClickHouseClient } from '@clickhouse/client';

export interface CameraLocation {
  cameraId: string;
  lat: number;
  lon: number;
  description: string;
  direction: string;
}

/**
 * Where each camera that has made a read stands now: its latest location row (a camera that was
 * moved has several). Cameras of leaf-node sites and the simulated camera are known only here,
 * not in this appliance's configuration. The table has a few hundred rows, never reads.
 */
export async function cameraLocations(client: ClickHouseClient): Promise<CameraLocation[]> {
  const rs = await client.query({
    query: `SELECT camera_id, argMax(lat, first_seen) AS lat, argMax(lon, first_seen) AS lon,
                   argMax(description, first_seen) AS description, argMax(direction, first_seen) AS direction
            FROM camera_locations FINAL GROUP BY camera_id ORDER BY camera_id`,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ camera_id: string; lat: number; lon: number; description: string; direction: string }>();
  return rows.map((r) => ({ cameraId: r.camera_id, lat: r.lat, lon: r.lon, description: r.description, direction: r.direction }));
}
