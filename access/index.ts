import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono, MiddlewareHandler } from 'hono';
import type { AccessConfig, Logger, RetentionConfig } from '../contracts/index.ts';
import { createAuditLog, type AuditLog } from './audit-log.ts';
import { caseRefSchema, getCase } from './cases.ts';
import { createAuthService } from './auth.ts';
import { createEnrolment } from './enrolment.ts';
import { createAccessGuard } from './guard.ts';
import type { AccessRule } from './rules.ts';
import { createSessionStore } from './sessions.ts';
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
}

export interface Access {
  audit: AuditLog;
  /** Goes to createApp({ dataGuard }). */
  guard: MiddlewareHandler;
  /** Go to createApp({ publicRoutes }): sign-in, setup, enrolment. */
  publicRoutes: Hono[];
  /** Go to createApp({ dataRoutes }): behind the guard. */
  dataRoutes: Hono[];
  /** For createApp({ resolveOpenCase }): the case registry's key of an open case, else null. */
  resolveOpenCase(caseRef: string): Promise<{ caseKey: string } | null>;
  /** On a first start with no users: a one-time setup token, else null. */
  issueSetupToken(): Promise<string | null>;
  enrolment: ReturnType<typeof createEnrolment>;
  sessions: ReturnType<typeof createSessionStore>;
}

/** Assembles access control over one store: the parts core.ts hands to createApp. */
export function createAccess(opts: AccessOptions): Access {
  const { client, access, logger } = opts;
  const clock = opts.clock;
  const audit = createAuditLog({ client, clock });
  const sessions = createSessionStore({ idleMinutes: access.sessionIdleMinutes, maxHours: access.sessionMaxHours, clock });
  const auth = createAuthService({ client, access, audit, sessions, clock });
  const enrolment = createEnrolment({ client, access, audit, clock });
  const guard = createAccessGuard({ client, access, tacticalDays: opts.retention.tacticalDays, sessions, auth, audit, logger, extraRules: opts.extraRules, clock });
  const routeLogger = logger.child({ part: 'access' });
  return {
    audit,
    guard: guard as unknown as MiddlewareHandler,
    publicRoutes: [authPublicRoutes({ access, auth, enrolment, sessions, audit, logger: routeLogger })],
    dataRoutes: [
      userRoutes({ client, access, sessions, enrolment, logger: routeLogger, clock }),
      caseRoutes({ client, logger: routeLogger, clock }),
      auditRoutes({ audit, logger: routeLogger }),
      deploymentRoutes({ client, logger: routeLogger, onChange: opts.onDeploymentsChanged, clock }),
      disseminationRoutes({ client, tacticalDays: opts.retention.tacticalDays, logger: routeLogger, clock }),
      reportRoutes({ client, audit, access, retention: opts.retention, logger: routeLogger, clock }),
    ] as unknown as Hono[],
    resolveOpenCase: async (ref) => {
      const parsed = caseRefSchema.safeParse(ref);
      const found = parsed.success ? await getCase(client, parsed.data) : null;
      return found?.status === 'open' ? { caseKey: found.caseKey } : null;
    },
    issueSetupToken: () => enrolment.issueSetupToken(),
    enrolment,
    sessions,
  };
}

export { accessRules, type AccessRule } from './rules.ts';
export { getCase, isCaseOpen, listOpenCases, caseKey, type CaseRecord } from './cases.ts';
export { createAuditLog, type AuditLog, type VerifyResult } from './audit-log.ts';
export { CASE_HEADER, PURPOSE_HEADER, CSRF_HEADER } from './guard.ts';
export { SESSION_COOKIE } from './sessions.ts';
export { createDeploymentGate, type DeploymentGate, type CameraAuthorisation } from './deployments.ts';
export { ROLES, PERMISSIONS, permissionsOf, type Role, type Permission } from './roles.ts';
export { serveAuditVerify } from './bus.ts';
export { recordConfigLoaded } from './config-audit.ts';
