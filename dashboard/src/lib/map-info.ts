import { api, ok, type MapInfo } from './api.ts';

let loading: Promise<MapInfo> | null = null;

/** The cameras and the tile server (GET /api/map), asked once a page: cameras move rarely, and a reload asks again. */
export function mapInfo(): Promise<MapInfo> {
  loading ??= ok(api.api.map.$get()).catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}
