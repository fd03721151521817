import { Hono } from 'hono';
import type { ClickHouseClient } from '@clickhouse/client';
import type { CameraConfig, MapConfig } from '../../contracts/index.ts';
import { cameraLocations } from '../../store/index.ts';

export interface MapRouteOptions {
  client: ClickHouseClient;
  /** The configured cameras: their names and where they stand now. */
  cameras: readonly Pick<CameraConfig, 'id' | 'name' | 'location' | 'direction'>[];
  map: MapConfig;
}

/**
 * What the dashboard's map draws: every camera with its place, and the agency's tile server if
 * one is configured. A configured camera is shown where its configuration puts it; a camera that
 * only the store knows (a leaf site's, the simulated one) where its latest read was made.
 * Camera positions are public roadside facts, not stored reads: any signed-in user may ask.
 */
export function mapRoutes(opts: MapRouteOptions) {
  const tiles = opts.map.tileUrl ? { url: opts.map.tileUrl, attribution: opts.map.tileAttribution, maxZoom: opts.map.maxZoom } : null;
  return new Hono().get('/map', async (c) => {
    const configured = new Map(
      opts.cameras.map((cam) => [
        cam.id,
        {
          id: cam.id,
          name: cam.name,
          lat: cam.location.lat,
          lon: cam.location.lon,
          description: cam.location.description,
          direction: cam.direction,
        },
      ]),
    );
    const cameras: { id: string; name: string; lat: number; lon: number; description: string; direction: string }[] = [
      ...configured.values(),
    ];
    for (const l of await cameraLocations(opts.client)) {
      if (!configured.has(l.cameraId)) cameras.push({ id: l.cameraId, name: l.cameraId, ...l });
    }
    cameras.sort((a, b) => a.id.localeCompare(b.id));
    return c.json({
      cameras: cameras.map(({ id, name, lat, lon, description, direction }) => ({ id, name, lat, lon, description, direction })),
      tiles,
    });
  });
}
