import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';

/**
 * The dissemination log (guidelines 2g, 6c): every release of ALPR data, to another criminal
 * justice agency or to a registered owner, refused ones included, with the statutory notice
 * that travelled with it.
 */
export const NOTICE_VERSION = '2024-11-13';

export const STATUTORY_NOTICE = [
  'NOTICE: ALPR DATA — CONFIDENTIAL AND EXEMPT.',
  'These records were produced by an automated license plate recognition system and are protected by section 316.0777, Florida Statutes:',
  'images and data containing or providing personal identifying information obtained through such a system are confidential and exempt from public disclosure,',
  'and may be disclosed only to a criminal justice agency in the performance of its official duties, or to the registered owner of the vehicle unless they are active criminal intelligence or investigative information.',
  'Use them only for the criminal justice purpose and case stated in this record; do not re-disseminate without recording the release.',
  'Retention: section 316.0778, Florida Statutes, and the CJJIS Council ALPR guidelines (6e) govern retention; data not part of an ongoing or continuing investigation must be purged under the applicable records retention schedule,',
  'and no ALPR data may be retained longer than 3 anniversary years.',
].join(' ');

export interface Dissemination {
  id: string;
  at: string;
  kind: 'agency' | 'owner';
  outcome: 'sent' | 'refused';
  refusal: string;
  recipientAgency: string;
  /** Who received it at the other agency; empty for an owner request. */
  recipientPerson: string;
  /** The agency's own record of an owner's request (never the requester's name or address). */
  requestRef: string;
  caseRef: string;
  purpose: string;
  authority: string;
  plate: string;
  query: string;
  readIds: string[];
  sentBy: string;
  noticeVersion: string;
}

export async function recordDissemination(
  client: ClickHouseClient,
  d: Omit<Dissemination, 'id' | 'at' | 'noticeVersion'>,
  now: Date,
): Promise<Dissemination> {
  const rec: Dissemination = { ...d, id: randomUUID(), at: now.toISOString(), noticeVersion: NOTICE_VERSION };
  await client.insert({
    table: 'disseminations',
    format: 'JSONEachRow',
    values: [
      {
        id: rec.id,
        at: now.getTime(),
        kind: rec.kind,
        outcome: rec.outcome,
        refusal: rec.refusal,
        recipient_agency: rec.recipientAgency,
        recipient_person: rec.recipientPerson,
        request_ref: rec.requestRef,
        case_ref: rec.caseRef,
        purpose: rec.purpose,
        authority: rec.authority,
        plate: rec.plate,
        query: rec.query,
        read_ids: rec.readIds,
        sent_by: rec.sentBy,
        notice_version: rec.noticeVersion,
      },
    ],
  });
  return rec;
}

export async function listDisseminations(
  client: ClickHouseClient,
  f: { from?: Date; to?: Date; caseRef?: string } = {},
): Promise<Dissemination[]> {
  const where = ['1'];
  const params: Record<string, unknown> = {};
  if (f.from) where.push('at >= fromUnixTimestamp64Milli({from:Int64})'), (params.from = f.from.getTime());
  if (f.to) where.push('at < fromUnixTimestamp64Milli({to:Int64})'), (params.to = f.to.getTime());
  if (f.caseRef) where.push('case_ref = {c:String}'), (params.c = f.caseRef);
  // Aliases never reuse a column name: ClickHouse would apply the alias in WHERE too.
  const rs = await client.query({
    query: `SELECT toString(id) AS id, toUnixTimestamp64Milli(at) AS at_ms, kind, outcome, refusal, recipient_agency, recipient_person, request_ref, case_ref,
            purpose, authority, plate, query, read_ids, sent_by, notice_version FROM disseminations WHERE ${where.join(' AND ')} ORDER BY at`,
    query_params: params,
    format: 'JSONEachRow',
  });
  type Row = Record<string, string> & { read_ids: string[] };
  return (await rs.json<Row>()).map((r) => ({
    id: r.id!,
    at: new Date(Number(r.at_ms)).toISOString(),
    kind: r.kind === 'owner' ? 'owner' : 'agency',
    outcome: r.outcome === 'sent' ? 'sent' : 'refused',
    refusal: r.refusal!,
    recipientAgency: r.recipient_agency!,
    recipientPerson: r.recipient_person!,
    requestRef: r.request_ref!,
    caseRef: r.case_ref!,
    purpose: r.purpose!,
    authority: r.authority!,
    plate: r.plate!,
    query: r.query!,
    readIds: r.read_ids,
    sentBy: r.sent_by!,
    noticeVersion: r.notice_version!,
  }));
}
