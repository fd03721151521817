import type { ClickHouseClient } from '@clickhouse/client';

/**
 * The store writer's own record of how far it has stored a stream (migration 100). JetStream
 * keeps the writer's consumer state in memory only, so this record is what a restarted
 * nats-server's lost acknowledgement floor is recovered from. A stream is named by its creation
 * time as well as its name: a recreated stream starts its sequences again.
 */
export interface StreamIdentity {
  name: string;
  /** JetStream's creation timestamp of the stream, as its info reports it. */
  created: string;
}

/** The highest stream sequence stored from this stream, 0 when none is on record. */
export async function storedThrough(client: ClickHouseClient, stream: StreamIdentity): Promise<number> {
  const rs = await client.query({
    query: `SELECT toString(max(stream_seq)) AS seq FROM store_writer_progress
            WHERE stream = {name:String} AND stream_created = {created:String}`,
    query_params: { name: stream.name, created: stream.created },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ seq: string }>())[0]?.seq ?? 0);
}

/** Records that every read of `stream` up to `seq` is stored: called after the insert returned, before the acknowledgement. */
export async function recordStoredThrough(client: ClickHouseClient, stream: StreamIdentity, seq: number): Promise<void> {
  await client.insert({
    table: 'store_writer_progress',
    values: [{ stream: stream.name, stream_created: stream.created, stream_seq: seq }],
    format: 'JSONEachRow',
  });
}
