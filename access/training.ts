import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { nextVersion } from './versions.ts';

/**
 * Training records (guidelines 2a, 2f, 5c): designation alone does not open the data; the
 * user must also hold current training. Records are versioned so a revocation keeps the
 * original entry on file.
 */
export interface TrainingRecord {
  id: string;
  username: string;
  course: string;
  /** YYYY-MM-DD */
  completedOn: string;
  /** YYYY-MM-DD: the last day the training counts. */
  expiresOn: string;
  recordedBy: string;
  recordedAt: string;
  revoked: boolean;
  note: string;
}

export type TrainingStatus = { current: true; expiresOn: string } | { current: false; reason: string };

/** Local calendar day of `now` in UTC, as YYYY-MM-DD (dates compare as strings). */
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Whether the records make the user's training current on `now`. With required courses, each
 * must be current; without, any current record does. The answer says what is missing.
 */
export function trainingStatus(records: readonly TrainingRecord[], now: Date, requiredCourses: readonly string[]): TrainingStatus {
  const today = day(now);
  const live = records.filter((r) => !r.revoked && r.completedOn <= today);
  const current = live.filter((r) => r.expiresOn >= today);
  if (requiredCourses.length === 0) {
    if (current.length > 0)
      return {
        current: true,
        expiresOn: current
          .map((r) => r.expiresOn)
          .sort()
          .at(-1)!,
      };
    const lapsed = live
      .map((r) => r.expiresOn)
      .sort()
      .at(-1);
    return { current: false, reason: lapsed ? `training expired on ${lapsed}` : 'no training on record' };
  }
  const missing: string[] = [];
  let earliest = '9999-12-31';
  for (const course of requiredCourses) {
    const best = current
      .filter((r) => r.course === course)
      .map((r) => r.expiresOn)
      .sort()
      .at(-1);
    if (!best) {
      const lapsed = live
        .filter((r) => r.course === course)
        .map((r) => r.expiresOn)
        .sort()
        .at(-1);
      missing.push(lapsed ? `"${course}" expired on ${lapsed}` : `"${course}" not on record`);
    } else if (best < earliest) earliest = best;
  }
  return missing.length ? { current: false, reason: `training required: ${missing.join('; ')}` } : { current: true, expiresOn: earliest };
}

interface TrainingRow {
  id: string;
  username: string;
  course: string;
  completed_on: string;
  expires_on: string;
  recorded_by: string;
  recorded_at: string;
  revoked: number;
  note: string;
}

export async function listTraining(client: ClickHouseClient, username?: string): Promise<TrainingRecord[]> {
  const rs = await client.query({
    query: `SELECT id, username, course, toString(completed_on) AS completed_on, toString(expires_on) AS expires_on,
            recorded_by, toUnixTimestamp64Milli(recorded_at) AS recorded_at, revoked, note
            FROM training_records FINAL ${username ? 'WHERE username = {u:String}' : ''} ORDER BY username, completed_on`,
    query_params: username ? { u: username } : {},
    format: 'JSONEachRow',
  });
  return (await rs.json<TrainingRow>()).map((r) => ({
    id: r.id,
    username: r.username,
    course: r.course,
    completedOn: r.completed_on,
    expiresOn: r.expires_on,
    recordedBy: r.recorded_by,
    recordedAt: new Date(Number(r.recorded_at)).toISOString(),
    revoked: r.revoked === 1,
    note: r.note,
  }));
}

export async function putTraining(
  client: ClickHouseClient,
  rec: Omit<TrainingRecord, 'id' | 'recordedAt'> & { id?: string },
  now: Date,
): Promise<TrainingRecord> {
  const id = rec.id ?? randomUUID();
  await client.insert({
    table: 'training_records',
    format: 'JSONEachRow',
    values: [
      {
        id,
        version: nextVersion(now.getTime()).toString(),
        username: rec.username,
        course: rec.course,
        completed_on: rec.completedOn,
        expires_on: rec.expiresOn,
        recorded_by: rec.recordedBy,
        recorded_at: now.getTime(),
        revoked: rec.revoked ? 1 : 0,
        note: rec.note,
      },
    ],
  });
  return { ...rec, id, recordedAt: now.toISOString() };
}
