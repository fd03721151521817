import type { ClickHouseClient } from '@clickhouse/client';
import type { MiddlewareHandler } from 'hono';
import { DEFAULT_TIME_ZONE, type AccessConfig, type HotlistsConfig, type Logger, type RetentionConfig } from '../contracts/index.ts';
import { syslogAnchorSink, webhookAnchorSink, type AnchorSink } from './anchor-sinks.ts';
import { createAuditAnchoring, withAnchoredVerify, type AuditAnchoring } from './anchoring.ts';
import { createAuditLog, type AuditLog } from './audit-log.ts';
import { createAuditNoise, type AuditNoise } from './audit-noise.ts';
import { caseRefSchema, getCase } from './cases.ts';
import { createAuthService } from './auth.ts';
import { createEnrolment } from './enrolment.ts';
import { createAccessGuard } from './guard.ts';
import type { AccessRule } from './rules.ts';
import { createSessionStore } from './sessions.ts';
import { CredentialThrottle } from './throttle.ts';
import { auditRoutes } from './routes/audit.ts';
import { authPublicRoutes } from './routes/auth.ts';
import { caseRoutes } from './routes/cases.ts';
import { userRoutes } from './routes/users.ts';
import { deploymentRoutes } from './routes/deployments.ts';
import { disseminationRoutes } from './routes/disseminations.ts';
import { reportRoutes } from './routes/reports.ts';

export interface AccessOptions {
  client: ClickHouseClient;
  access: AccessConfig;
  /** Retention settings: tacticalDays is the reach of operators' searches. */
  retention: RetentionConfig;
  logger: Logger;
  extraRules?: Record<string, AccessRule>;
  /** Called after a deployment authorisation changes (the ingest gate re-reads them). */
  onDeploymentsChanged?: () => Promise<void> | void;
  clock?: () => Date;
  /** The agency that owns the appliance (site.agency): named on its reports. */
  agency?: string;
  /** The appliance's time zone (site.timeZone): the dashboard's dates, and the duty hours' unless they name their own. */
  timeZone?: string;
  /**
   * Anchor the audit log outside the store (access.auditAnchor): the anchors file and key live
   * under dataDir; each anchor also goes to the alert webhook's receiver when one is configured.
   */
  anchor?: { dataDir: string; siteId: string; webhook?: HotlistsConfig['webhook']; env?: NodeJS.ProcessEnv };
}

/** The access routers, typed one by one so that every route reaches the app's type. */
export type AccessPublicRoutes = [ReturnType<typeof authPublicRoutes>];
export type AccessDataRoutes = [
  ReturnType<typeof userRoutes>,
  ReturnType<typeof caseRoutes>,
  ReturnType<typeof auditRoutes>,
  ReturnType<typeof deploymentRoutes>,
  ReturnType<typeof disseminationRoutes>,
  ReturnType<typeof reportRoutes>,
];

export interface Access {
  /** The audit log; its verify() also checks the anchors when the log is anchored. */
  audit: AuditLog;
  /** Anchoring of the audit log (opts.anchor); the core starts it, and stops it last. */
  anchoring: AuditAnchoring | null;
  /** Goes to createApp({ dataGuard }). */
  guard: MiddlewareHandler;
  /** Go to createApp({ publicRoutes }): sign-in, setup, enrolment. */
  publicRoutes: AccessPublicRoutes;
  /** Go to createApp({ dataRoutes }): behind the guard. */
  dataRoutes: AccessDataRoutes;
  /** For createApp({ resolveOpenCase }): the case registry's key of an open case, else null. */
  resolveOpenCase(caseRef: string): Promise<{ caseKey: string } | null>;
  /** On a first start with no users: a one-time setup token, else null. */
  issueSetupToken(): Promise<string | null>;
  enrolment: ReturnType<typeof createEnrolment>;
  sessions: ReturnType<typeof createSessionStore>;
  /** Refused requests without identity, summarised per address (audit-noise.ts); flush() at shutdown. */
  noise: AuditNoise;
}

/** Assembles access control over one store: the parts core.ts hands to createApp. */
export function createAccess(opts: AccessOptions): Access {
  const { client, logger } = opts;
  const timeZone = opts.timeZone ?? DEFAULT_TIME_ZONE;
  // One zone unless the configuration names a second one for the duty hours.
  const access: AccessConfig = {
    ...opts.access,
    dutyHours: { ...opts.access.dutyHours, timeZone: opts.access.dutyHours.timeZone ?? timeZone },
  };
  const clock = opts.clock;
  const chainOnly = createAuditLog({ client, clock });
  const anchoring = opts.anchor
    ? createAuditAnchoring({
        audit: chainOnly,
        dataDir: opts.anchor.dataDir,
        keyEnv: access.auditAnchor.keyEnv,
        createKey: true,
        sinks: anchorSinks(opts),
        logger: logger.child({ part: 'audit-anchor' }),
        clock,
        env: opts.anchor.env,
      })
    : null;
  const audit = anchoring ? withAnchoredVerify(chainOnly, anchoring) : chainOnly;
  const sessions = createSessionStore({ idleMinutes: access.sessionIdleMinutes, maxHours: access.sessionMaxHours, clock });
  const throttle = new CredentialThrottle(access.throttle, () => (clock ?? (() => new Date()))().getTime());
  const noise = createAuditNoise({ audit, windowMs: access.throttle.windowMinutes * 60_000, logger, clock });
  const auth = createAuthService({ client, access, audit, sessions, throttle, noise, clock });
  const enrolment = createEnrolment({ client, access, audit, throttle, noise, clock });
  const guard = createAccessGuard({
    client,
    access,
    tacticalDays: opts.retention.tacticalDays,
    sessions,
    auth,
    audit,
    noise,
    logger,
    extraRules: opts.extraRules,
    clock,
  });
  const routeLogger = logger.child({ part: 'access' });
  return {
    audit,
    anchoring,
    guard: guard as unknown as MiddlewareHandler,
    publicRoutes: [authPublicRoutes({ access, auth, enrolment, sessions, audit, logger: routeLogger, timeZone })],
    dataRoutes: [
      userRoutes({ client, access, sessions, enrolment, auth, logger: routeLogger, clock, timeZone }),
      caseRoutes({ client, logger: routeLogger, clock }),
      auditRoutes({ audit, logger: routeLogger, timeZone }),
      deploymentRoutes({ client, logger: routeLogger, onChange: opts.onDeploymentsChanged, clock }),
      disseminationRoutes({ client, tacticalDays: opts.retention.tacticalDays, logger: routeLogger, clock }),
      reportRoutes({
        client,
        audit,
        anchoring,
        access,
        retention: opts.retention,
        logger: routeLogger,
        clock,
        agency: opts.agency,
        timeZone,
      }),
    ],
    resolveOpenCase: async (ref) => {
      const parsed = caseRefSchema.safeParse(ref);
      const found = parsed.success ? await getCase(client, parsed.data) : null;
      return found?.status === 'open' ? { caseKey: found.caseKey } : null;
    },
    issueSetupToken: () => enrolment.issueSetupToken(),
    enrolment,
    sessions,
    noise,
  };
}

function anchorSinks(opts: AccessOptions): AnchorSink[] {
  const sinks: AnchorSink[] = [];
  const a = opts.anchor!;
  const log = opts.logger.child({ part: 'audit-anchor' });
  if (a.webhook) {
    const secret = (a.env ?? process.env)[a.webhook.secretEnv] ?? '';
    sinks.push(
      webhookAnchorSink({
        url: a.webhook.url,
        secret,
        maxAttempts: a.webhook.maxAttempts,
        timeoutMs: a.webhook.timeoutMs,
        siteId: a.siteId,
        logger: log,
      }),
    );
  }
  const syslog = opts.access.auditAnchor.syslog;
  if (syslog) sinks.push(syslogAnchorSink({ host: syslog.host, port: syslog.port, siteId: a.siteId, logger: log }));
  return sinks;
}

export { accessRules, PUBLIC_ROUTES, alertOutsideLiveWindow, LIVE_ALERT_HOURS, type AccessRule, type RuleContext } from './rules.ts';
export type { AccessEnv, Principal } from './principal.ts';
export { accessCommands, type CliCommand } from './cli.ts';
export { getCase, isCaseOpen, listOpenCases, caseKey, type CaseRecord } from './cases.ts';
export { createAuditLog, type AuditLog, type VerifyResult } from './audit-log.ts';
export { createAuditAnchoring, withAnchoredVerify, type AuditAnchoring } from './anchoring.ts';
export type { Anchor } from './anchor.ts';
export { CASE_HEADER, PURPOSE_HEADER, CSRF_HEADER } from './guard.ts';
export { SESSION_COOKIE } from './sessions.ts';
export { createDeploymentGate, type DeploymentGate, type CameraAuthorisation } from './deployments.ts';
export { ROLES, PERMISSIONS, permissionsOf, type Role, type Permission } from './roles.ts';
export { recordConfigLoaded } from './config-audit.ts';
