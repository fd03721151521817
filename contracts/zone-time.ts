/**
 * A moment as it reads in one named time zone (the appliance's site.timeZone), the same text on
 * the dashboard and in the audit export: an operator at a laptop set to UTC and the audit report
 * must name the same hour. Pure, free of Node, so the dashboard bundles it (browser.ts).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The year, month, day, hour (00-23), minute, second and zone abbreviation of `when` in `zone`. */
export function zoneParts(when: string | number | Date, zone: string): Record<string, string> {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'short',
    });
    formatters.set(zone, f);
  }
  return Object.fromEntries(f.formatToParts(new Date(when)).map((p) => [p.type, p.value]));
}

/** 2026-03-14 14:05:09 EDT: date, time to the second and the zone's abbreviation. */
export function zoneStamp(when: string | number | Date, zone: string): string {
  const p = zoneParts(when, zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}
