/**
 * CSV for spreadsheets. A text cell that a spreadsheet would run as a formula (=, +, -, @, tab,
 * carriage return first) gets a leading apostrophe; numbers are written as they are, so that a
 * longitude or a sequence number stays a number. Quoted where a comma, quote or line break
 * (or the apostrophe) would otherwise change the row.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (cells: readonly unknown[]) => cells.map(csvCell).join(',');
