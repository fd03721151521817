import type { ClickHouseClient } from '@clickhouse/client';
import type { Context } from 'hono';
import type { Permission } from './roles.ts';
import { caseKey } from './cases.ts';
import type { Principal } from './principal.ts';

/**
 * Which permission each guarded route needs, keyed "METHOD /path" exactly as Hono registers
 * the route. A route with no rule here is refused for everyone (and the route-walk test
 * fails), so a new data route cannot ship open by accident.
 */
export interface RuleContext {
  client: ClickHouseClient;
  now: Date;
  tacticalDays: number;
}

export interface AccessRule {
  /** Holding any one of these admits. */
  anyOf: Permission[];
  /** Audit action name (dotted verb). */
  action: string;
  /**
   * Needs an open case and a purpose (x-alpr-case, x-alpr-purpose headers): guidelines 6e.
   * A function gates only the requests it answers true for (history beyond the live window).
   */
  caseGate?: boolean | ((c: Context, ctx: RuleContext) => boolean | Promise<boolean>);
  /** false for requests that reveal nothing and would only flood the log (session polling). */
  audit?: boolean;
  /** A request a page makes by itself (polling): it does not count as activity, so the idle lock still comes. */
  passive?: boolean;
  /** Record the JSON request body in the audit entry (for routes that do not set auditBody themselves). */
  auditBody?: boolean;
  /** A further check once the permission is granted: a refusal reason, or null. */
  check?: (c: Context, p: Principal, ctx: RuleContext) => Promise<string | null> | string | null;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * How far back the alert list reaches without a case: one shift (12 hours, the longest a
 * session lives by default). Alerts older than that are history, a search of where a plate was,
 * and like any search they need a case and a purpose. GET /api/alerts without "from" lists
 * this window.
 */
export const LIVE_ALERT_HOURS = 12;

function alertHistory(c: Context, ctx: RuleContext): boolean {
  const from = Date.parse(c.req.query('from') ?? '');
  // No "from" lists the live window; one that is no date is the route's 400 to give.
  return Number.isFinite(from) && from < ctx.now.getTime() - LIVE_ALERT_HOURS * HOUR_MS;
}

/** One alert (GET /api/alerts/:id) raised before the live window is history too. */
export async function alertOutsideLiveWindow(c: Context, ctx: RuleContext): Promise<boolean> {
  const id = c.req.path.split('/')[3] ?? '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return false; // the route answers 400
  const rs = await ctx.client.query({
    query: 'SELECT toUnixTimestamp64Milli(raised_at) AS at FROM alerts WHERE id = {id:UUID} LIMIT 1',
    query_params: { id },
    format: 'JSONEachRow',
  });
  const at = Number((await rs.json<{ at: string }>())[0]?.at ?? NaN);
  return Number.isFinite(at) && at < ctx.now.getTime() - LIVE_ALERT_HOURS * HOUR_MS;
}

/** The case whose holds are listed is the case of the request (the case gate's), not another. */
function holdsOfTheCase(c: Context): string | null {
  const asked = c.req.query('caseRef');
  const gated = c.get('caseContext') as { caseRef: string } | undefined;
  if (asked !== undefined && gated && caseKey(asked) !== caseKey(gated.caseRef))
    return `list the holds of the case you give in x-alpr-case (${gated.caseRef}), not of another`;
  return null;
}
const search: Permission[] = ['reads.tactical', 'reads.investigate'];

/** Principals with tactical access only may not reach data older than the tactical window (30 days). */
function tacticalSearch(c: Context, p: Principal, ctx: RuleContext): string | null {
  if (p.permissions.has('reads.investigate')) return null;
  const from = Date.parse(c.req.query('from') ?? '');
  const floor = ctx.now.getTime() - ctx.tacticalDays * DAY_MS;
  if (!Number.isFinite(from) || from < floor) {
    return `your role searches the last ${ctx.tacticalDays} days only: give "from" no earlier than ${new Date(floor).toISOString()}`;
  }
  return null;
}

async function tacticalImage(c: Context, p: Principal, ctx: RuleContext): Promise<string | null> {
  if (p.permissions.has('reads.investigate')) return null;
  const id = c.req.path.split('/')[3] ?? '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null; // the route answers 400
  const rs = await ctx.client.query({
    query: 'SELECT toUnixTimestamp64Milli(captured_at) AS at FROM reads WHERE id = {id:UUID} LIMIT 1',
    query_params: { id },
    format: 'JSONEachRow',
  });
  const at = Number((await rs.json<{ at: string }>())[0]?.at ?? NaN);
  if (Number.isFinite(at) && at < ctx.now.getTime() - ctx.tacticalDays * DAY_MS)
    return `your role views images of the last ${ctx.tacticalDays} days only`;
  return null;
}

/**
 * Dissemination releases reads, so it is a search as well as a release: whoever sends them
 * must be one who may search them (an administrator, whose office is not searching, holds
 * "disseminate" for the log only), within the reach of that role.
 */
async function disseminationSearch(c: Context, p: Principal, ctx: RuleContext): Promise<string | null> {
  if (!search.some((s) => p.permissions.has(s))) {
    return `dissemination releases reads and needs a role that may search them (${search.join(' or ')}); yours (${p.roles.join(', ')}) may not`;
  }
  if (p.permissions.has('reads.investigate')) return null;
  const body = (await c.req.json().catch(() => null)) as { from?: unknown } | null;
  const from = typeof body?.from === 'string' ? Date.parse(body.from) : NaN;
  const floor = ctx.now.getTime() - ctx.tacticalDays * DAY_MS;
  if (!Number.isFinite(from) || from < floor)
    return `your role releases reads of the last ${ctx.tacticalDays} days only: give "from" no earlier than ${new Date(floor).toISOString()}`;
  return null;
}

/**
 * Routes reachable without signing in. They reveal no stored data and check their own
 * tokens or credentials; the guard lets exactly these through whatever order the app mounts
 * them in, and the route-walk test pins the list.
 */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/health',
  'GET /api/auth/banner',
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/auth/unlock',
  'POST /api/setup/begin',
  'POST /api/setup/complete',
  'POST /api/enrol/begin',
  'POST /api/enrol/complete',
  // The API's description: routes and parameters, no data.
  'GET /api/openapi.json',
]);

export const accessRules: Record<string, AccessRule> = {
  // Stored data (server/routes/reads.ts).
  'GET /api/reads': { anyOf: search, action: 'reads.search', caseGate: true, check: tacticalSearch },
  'GET /api/reads/:id/image': { anyOf: search, action: 'image.view', caseGate: true, check: tacticalImage },
  'GET /api/reads/:id/vehicle-image': { anyOf: search, action: 'image.vehicle_view', caseGate: true, check: tacticalImage },
  'GET /api/reads/export.csv': { anyOf: search, action: 'reads.export', caseGate: true, check: tacticalSearch },
  // The case file with the reads' images: an export like the CSV, under the same case and audit.
  'GET /api/reads/export.zip': { anyOf: search, action: 'reads.export', caseGate: true, check: tacticalSearch },

  // Chart series for the dashboard (server/routes/metrics-series.ts): counts per camera, no plate;
  // any signed-in user, not audited and passive because the charts poll.
  'GET /api/metrics/series': { anyOf: ['self'], action: 'metrics.series', audit: false, passive: true },
  // The full health report (server/app.ts; anonymous callers get the status only): services,
  // cameras and deployments for any signed-in principal or monitoring token; polled, so passive.
  'GET /api/health/report': { anyOf: ['self'], action: 'health.view', audit: false, passive: true },
  // Prometheus text: camera ids with their state and read rates, services' restarts; the same
  // reach as the health report (a scrape sends a monitoring token), polled, so passive.
  'GET /api/metrics': { anyOf: ['self'], action: 'metrics.view', audit: false, passive: true },
  // The dashboard map (server/routes/map.ts): where the cameras stand and the tile server, no
  // read; any signed-in user, loaded once a page, not audited.
  'GET /api/map': { anyOf: ['self'], action: 'map.view', audit: false, passive: true },

  // Retention and case holds (server/routes/retention.ts); the route itself checks the case is open.
  'GET /api/retention': { anyOf: ['reports.read', 'audit.read'], action: 'retention.view' },
  'POST /api/retention/run': { anyOf: ['retention.manage'], action: 'retention.run' },
  'POST /api/holds': { anyOf: ['reads.investigate'], action: 'hold.place', auditBody: true },
  'POST /api/holds/release': { anyOf: ['reads.investigate', 'cases.write'], action: 'hold.release', auditBody: true },
  // Held read ids of a case are that case's data: the case gate, for that very case.
  'GET /api/holds': { anyOf: ['reads.investigate', 'audit.read'], action: 'holds.list', caseGate: true, check: holdsOfTheCase },

  // Alerts and the extract (hotlists), for the routes those parts add.
  'GET /api/alerts': { anyOf: ['alerts.view'], action: 'alerts.view', caseGate: alertHistory },
  'POST /api/hotlists': { anyOf: ['hotlist.import'], action: 'hotlist.import' },
  // Hits on past reads (list additions, imports, late deliveries): investigators and supervisors, not the live queue.
  'GET /api/alerts/historical': { anyOf: ['alerts.historical'], action: 'alerts.historical', caseGate: alertHistory },
  'GET /api/hotlists': { anyOf: ['hotlist.import'], action: 'hotlists.list' },

  // The signed-in principal itself.
  'GET /api/auth/session': { anyOf: ['self'], action: 'session.view', audit: false, passive: true },
  'POST /api/auth/password': { anyOf: ['self'], action: 'password.change' },

  // Designation, training, enforcement (guidelines 2a, 2f, 7d).
  'GET /api/users': { anyOf: ['users.manage'], action: 'users.list' },
  'POST /api/users': { anyOf: ['users.manage'], action: 'user.designate' },
  'GET /api/users/:username': { anyOf: ['users.manage'], action: 'user.view' },
  'POST /api/users/:username/roles': { anyOf: ['users.manage'], action: 'user.roles' },
  'POST /api/users/:username/suspend': { anyOf: ['users.manage'], action: 'user.suspend' },
  'POST /api/users/:username/reinstate': { anyOf: ['users.manage'], action: 'user.reinstate' },
  'POST /api/users/:username/unlock': { anyOf: ['users.manage'], action: 'user.unlock' },
  'POST /api/users/:username/enrolment': { anyOf: ['users.manage'], action: 'user.enrolment.reset' },
  'POST /api/users/:username/token': { anyOf: ['users.manage'], action: 'user.token' },
  'POST /api/users/:username/training': { anyOf: ['users.manage'], action: 'training.record' },
  'POST /api/users/:username/training/:id/revoke': { anyOf: ['users.manage'], action: 'training.revoke' },
  'POST /api/users/:username/noncompliance': { anyOf: ['users.manage'], action: 'noncompliance.record' },
  'GET /api/noncompliance': { anyOf: ['users.manage', 'audit.read'], action: 'noncompliance.list' },

  // The case registry.
  'GET /api/cases': { anyOf: ['cases.read'], action: 'cases.list' },
  'POST /api/cases': { anyOf: ['cases.write'], action: 'case.open' },
  'POST /api/cases/update': { anyOf: ['cases.write'], action: 'case.update' },

  // The audit log and reports (guidelines 7a, 7b, 7c): viewing them is itself audited.
  'GET /api/audit': { anyOf: ['audit.read'], action: 'audit.view' },
  'GET /api/audit/verify': { anyOf: ['audit.read'], action: 'audit.verify' },
  'GET /api/reports/audit': { anyOf: ['audit.read'], action: 'report.audit' },
  'GET /api/reports/evaluation': { anyOf: ['reports.read', 'audit.read'], action: 'report.evaluation' },

  // Deployment authorisations (guidelines 2d, 5b, 5e).
  'GET /api/deployments': { anyOf: ['deployments.read'], action: 'deployments.list' },
  'GET /api/deployments/:id': { anyOf: ['deployments.read'], action: 'deployment.view' },
  'GET /api/audit/export.csv': { anyOf: ['audit.read'], action: 'audit.export' },
  'POST /api/deployments': { anyOf: ['deployments.manage'], action: 'deployment.authorise' },
  'POST /api/deployments/:id/change': { anyOf: ['deployments.manage'], action: 'deployment.change' },
  'POST /api/deployments/:id/rescind': { anyOf: ['deployments.manage'], action: 'deployment.rescind' },
  'POST /api/deployments/:id/events': { anyOf: ['deployments.manage', 'reads.tactical'], action: 'deployment.event' },

  // Dissemination and exports (guidelines 2g, 6c): every one needs an open case.
  'GET /api/disseminations': { anyOf: ['disseminate', 'audit.read'], action: 'disseminations.list' },
  // Both also need a role that may search reads (disseminationSearch): a release is a search.
  'POST /api/disseminations': { anyOf: ['disseminate'], action: 'dissemination.agency', caseGate: true, check: disseminationSearch },
  'POST /api/disseminations/owner-request': {
    anyOf: ['disseminate'],
    action: 'dissemination.owner',
    caseGate: true,
    check: disseminationSearch,
  },
};
