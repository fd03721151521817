import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { normalizePlate } from '../contracts/index.ts';
import { nextVersion } from './versions.ts';

/**
 * The case registry (guidelines 6e: access to stored data "requires an agency case number or
 * case name"). Only an open case admits a search or an export. Cases are versioned: opening,
 * closing and flagging stay on record. The store's case holds read this registry through
 * getCase / listOpenCases.
 */
export const caseRefSchema = z
  .string()
  .trim()
  .min(2)
  .max(80)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._/#:()-]*$/u, 'letters, digits, spaces and . _ / # : ( ) -');

/** Case numbers are compared without regard to case or runs of spaces: "24-0031 a" is "24-0031 A". */
export function caseKey(ref: string): string {
  return ref.trim().replace(/\s+/g, ' ').toUpperCase();
}

export interface CaseRecord {
  caseKey: string;
  caseRef: string;
  title: string;
  status: 'open' | 'closed';
  /** Active criminal intelligence or investigative information (2g): never released to an owner. */
  activeIntel: boolean;
  /** Normalised plates of interest to the case. */
  plates: string[];
  openedBy: string;
  openedAt: string;
  changedBy: string;
  changedAt: string;
  change: string;
}

interface CaseRow {
  case_key: string;
  case_ref: string;
  title: string;
  status: string;
  active_intel: number;
  plates: string[];
  opened_by: string;
  opened_at: string;
  changed_by: string;
  changed_at: string;
  change: string;
}

const fromRow = (r: CaseRow): CaseRecord => ({
  caseKey: r.case_key,
  caseRef: r.case_ref,
  title: r.title,
  status: r.status === 'open' ? 'open' : 'closed',
  activeIntel: r.active_intel === 1,
  plates: r.plates,
  openedBy: r.opened_by,
  openedAt: new Date(Number(r.opened_at)).toISOString(),
  changedBy: r.changed_by,
  changedAt: new Date(Number(r.changed_at)).toISOString(),
  change: r.change,
});

const SELECT = `SELECT case_key, case_ref, title, status, active_intel, plates, opened_by,
  toUnixTimestamp64Milli(opened_at) AS opened_at, changed_by, toUnixTimestamp64Milli(changed_at) AS changed_at, change FROM cases`;

async function select(client: ClickHouseClient, where: string, params: Record<string, unknown>, final = true) {
  const rs = await client.query({
    query: `${SELECT} ${final ? 'FINAL' : ''} WHERE ${where} ORDER BY case_key, version`,
    query_params: params,
    format: 'JSONEachRow',
  });
  return (await rs.json<CaseRow>()).map(fromRow);
}

export async function getCase(client: ClickHouseClient, ref: string): Promise<CaseRecord | null> {
  return (await select(client, 'case_key = {k:String}', { k: caseKey(ref) }))[0] ?? null;
}

/** Open cases: what the store's case holds may keep reads for (up to the 3-year ceiling). */
export async function listOpenCases(client: ClickHouseClient): Promise<CaseRecord[]> {
  return select(client, "status = 'open'", {});
}

export async function listCases(client: ClickHouseClient): Promise<CaseRecord[]> {
  return select(client, '1', {});
}

export async function caseHistory(client: ClickHouseClient, ref: string): Promise<CaseRecord[]> {
  return select(client, 'case_key = {k:String}', { k: caseKey(ref) }, false);
}

/** Whether `ref` names an open case: the question the case gate and the case holds ask. */
export async function isCaseOpen(client: ClickHouseClient, ref: string): Promise<boolean> {
  return (await getCase(client, ref))?.status === 'open';
}

/** Open cases flagged active intelligence/investigation that name this plate. */
export async function activeIntelCasesForPlate(client: ClickHouseClient, plate: string): Promise<CaseRecord[]> {
  return select(client, "status = 'open' AND active_intel = 1 AND has(plates, {p:String})", { p: normalizePlate(plate) });
}

export async function putCase(client: ClickHouseClient, c: Omit<CaseRecord, 'caseKey' | 'changedAt'>, now: Date): Promise<CaseRecord> {
  const key = caseKey(c.caseRef);
  await client.insert({
    table: 'cases',
    format: 'JSONEachRow',
    values: [
      {
        case_key: key,
        version: nextVersion(now.getTime()).toString(),
        case_ref: c.caseRef,
        title: c.title,
        status: c.status,
        active_intel: c.activeIntel ? 1 : 0,
        plates: [...new Set(c.plates.map(normalizePlate).filter(Boolean))],
        opened_by: c.openedBy,
        opened_at: Date.parse(c.openedAt),
        changed_by: c.changedBy,
        changed_at: now.getTime(),
        change: c.change,
      },
    ],
  });
  return { ...c, caseKey: key, changedAt: now.toISOString() };
}
