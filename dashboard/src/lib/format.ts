import { zoneParts, zoneStamp } from '../../../contracts/browser.ts';

/**
 * Dates in the appliance's one time zone (site.timeZone), not the browser's: an operator at a
 * laptop set to UTC and the audit report must name the same hour. The session check sets the
 * zone before any page is drawn; until then (and in tests) it is the configuration's default.
 */
let zone = 'America/New_York';

/** Sets the zone every helper below formats in; an unknown name is refused and the old zone kept. */
export function setTimeZone(tz: string | null | undefined): void {
  if (!tz) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    zone = tz;
  } catch {
    // keep the previous zone: a wrong name must not turn every date into an error
  }
}

export const timeZone = () => zone;

type When = string | number | Date;

const partsOf = (when: When, tz = zone): Record<string, string> => zoneParts(when, tz);

const valid = (when: When) => !Number.isNaN(new Date(when).getTime());

/** 2026-03-14: year first, so that dates sort and read the same in every locale. */
export const fmtDate = (when: When) => {
  if (!valid(when)) return '–';
  const p = partsOf(when);
  return `${p.year}-${p.month}-${p.day}`;
};

/** 14:05:09: to the second, as an alert's time matters to the second. */
export const fmtClock = (when: When) => {
  if (!valid(when)) return '–';
  const p = partsOf(when);
  return `${p.hour}:${p.minute}:${p.second}`;
};

/** 2026-03-14 14:05:09 EDT: date, time and the zone's abbreviation. */
export const fmtTime = (when: When) => {
  if (!valid(when)) return '–';
  return zoneStamp(when, zone);
};
export const fmtDateTime = fmtTime;

/** How long ago, coarsely: "just now", "3 min ago", "2 h ago", "5 days ago" (and "in 3 min" ahead). */
export function fmtAgo(when: When, now: number = Date.now()): string {
  if (!valid(when)) return '–';
  const diff = now - new Date(when).getTime();
  const s = Math.abs(diff) / 1000;
  let text: string;
  if (s < 10) return 'just now';
  if (s < 60) text = `${Math.floor(s)} s`;
  else if (s < 3600) text = `${Math.floor(s / 60)} min`;
  else if (s < 86_400) text = `${Math.floor(s / 3600)} h`;
  else {
    const d = Math.floor(s / 86_400);
    text = `${d} day${d === 1 ? '' : 's'}`;
  }
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** Offset of the zone from UTC at a moment, in ms (positive east of Greenwich). */
function offsetAt(ms: number, tz: string): number {
  const p = partsOf(ms, tz);
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** A moment as a datetime-local input's value (YYYY-MM-DDTHH:mm) in the appliance's zone. */
export function toZoneInput(when: When): string {
  const p = partsOf(when);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** A datetime-local input's value, read in the appliance's zone, as an ISO instant; '' stays undefined. */
export function fromZoneInput(local: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  // The offset at the wall time read as UTC is close; a second pass settles the hours around a DST change.
  let ms = wall - offsetAt(wall, zone);
  ms = wall - offsetAt(ms, zone);
  return new Date(ms).toISOString();
}

export const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(digits)} %`);
export const num = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '–' : x.toFixed(digits));
