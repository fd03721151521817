import { api, ok, type HealthReport, type Role } from './api.ts';
import { whileBusy } from './busy.ts';

export type UserRow = Awaited<ReturnType<typeof listUsers>>['users'][number];
export type UserDetail = Awaited<ReturnType<typeof getUser>>;
export type DeploymentRow = Awaited<ReturnType<typeof listDeployments>>['deployments'][number];
export type CaseRow = Extract<Awaited<ReturnType<typeof listCases>>, { cases: unknown }>['cases'][number];
export type RetentionReport = Awaited<ReturnType<typeof getRetention>>;

const listUsers = () => ok(api.api.users.$get());
const getUser = (username: string) => ok(api.api.users[':username'].$get({ param: { username } }));
const listDeployments = () => ok(api.api.deployments.$get());
const listCases = () => ok(api.api.cases.$get({ query: {} }));
const getRetention = () => ok(api.api.retention.$get());

export const ROLE_NAMES: Role[] = ['admin', 'operator', 'supervisor', 'investigator', 'analyst', 'auditor'];

export interface DeploymentForm {
  id: string;
  cameraId: string;
  mode: 'fixed' | 'mobile';
  lat: string;
  lon: string;
  description: string;
  purpose: string;
  publicViewAttested: boolean;
}

/**
 * The administrator's records: designation and training, cases, camera deployments, retention.
 * Each action reports the API's answer in `message` or `error`; lists reload after a change so
 * the page shows what the store holds, not what the form sent.
 */
export class AdminState {
  users = $state<UserRow[]>([]);
  selected = $state<UserDetail | null>(null);
  /** The last enrolment link issued: shown once, for the administrator to hand over. */
  enrolLink = $state<{ username: string; url: string; expires: string } | null>(null);
  deployments = $state<DeploymentRow[]>([]);
  cameras = $state<HealthReport['cameras']>([]);
  authorisations = $state<NonNullable<HealthReport['authorisations']>>([]);
  cases = $state<CaseRow[]>([]);
  retention = $state<RetentionReport | null>(null);
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);

  /** `onChange` runs after each change: the signed-in user may have changed their own record (training). */
  constructor(private readonly onChange: () => void = () => {}) {}

  #act(fn: () => Promise<string | void>): Promise<boolean> {
    this.message = null;
    return whileBusy(this, async () => {
      const m = await fn();
      if (m) {
        this.message = m;
        this.onChange();
      }
    });
  }

  loadUsers = () => this.#act(async () => void (this.users = (await listUsers()).users));
  select = (username: string) => this.#act(async () => void (this.selected = await getUser(username)));

  designate(f: { username: string; displayName: string; roles: Role[] }) {
    return this.#act(async () => {
      const r = await ok(api.api.users.$post({ json: { ...f, kind: 'person' } }));
      if ('enrolment' in r)
        this.enrolLink = { username: f.username, url: location.origin + r.enrolment.path, expires: r.enrolment.expires };
      await this.loadUsersQuiet();
      return `${f.username} designated; hand over the enrolment link below.`;
    });
  }

  async loadUsersQuiet() {
    this.users = (await listUsers()).users;
    // Refresh the detail only if the administrator has not opened another user meanwhile.
    const shown = this.selected?.user.username;
    if (!shown) return;
    const fresh = await getUser(shown);
    if (this.selected?.user.username === shown) this.selected = fresh;
  }

  recordTraining(username: string, t: { course: string; completedOn: string; expiresOn: string }) {
    return this.#act(async () => {
      await ok(api.api.users[':username'].training.$post({ param: { username }, json: t }));
      await this.loadUsersQuiet();
      return `Training recorded for ${username}.`;
    });
  }

  userAction(username: string, action: 'suspend' | 'reinstate', reason: string) {
    return this.#act(async () => {
      await ok(api.api.users[':username'][action].$post({ param: { username }, json: { reason } }));
      await this.loadUsersQuiet();
      return `${username}: ${action === 'suspend' ? 'suspended' : 'reinstated'}.`;
    });
  }

  setRoles(username: string, roles: Role[], reason: string) {
    return this.#act(async () => {
      await ok(api.api.users[':username'].roles.$post({ param: { username }, json: { roles, reason } }));
      await this.loadUsersQuiet();
      return `${username}: roles now ${roles.join(', ')}.`;
    });
  }

  reenrol(username: string) {
    return this.#act(async () => {
      const r = await ok(api.api.users[':username'].enrolment.$post({ param: { username } }));
      this.enrolLink = { username, url: location.origin + r.enrolment.path, expires: r.enrolment.expires };
      await this.loadUsersQuiet();
      return `${username}: credentials reset; a new enrolment link is below.`;
    });
  }

  unlock(username: string) {
    return this.#act(async () => {
      await ok(api.api.users[':username'].unlock.$post({ param: { username } }));
      await this.loadUsersQuiet();
      return `${username}: unlocked.`;
    });
  }

  /** Guidelines 7d: a finding and what was done about it; a suspension also suspends the user. */
  recordNoncompliance(username: string, finding: string, action: 'none' | 'warning' | 'retraining' | 'suspension') {
    return this.#act(async () => {
      await ok(api.api.users[':username'].noncompliance.$post({ param: { username }, json: { finding, action } }));
      await this.loadUsersQuiet();
      return `Non-compliance recorded for ${username}.`;
    });
  }

  loadCases = () =>
    this.#act(async () => {
      const r = await listCases();
      this.cases = 'cases' in r ? r.cases : [];
    });

  openCase(f: { caseRef: string; title: string; activeIntel: boolean }) {
    return this.#act(async () => {
      await ok(api.api.cases.$post({ json: { ...f, plates: [] } }));
      const r = await listCases();
      this.cases = 'cases' in r ? r.cases : [];
      return `Case ${f.caseRef} opened.`;
    });
  }

  closeCase(caseRef: string, reason: string) {
    return this.#act(async () => {
      await ok(api.api.cases.update.$post({ json: { caseRef, status: 'closed', reason } }));
      const r = await listCases();
      this.cases = 'cases' in r ? r.cases : [];
      return `Case ${caseRef} closed.`;
    });
  }

  loadCameras = () => this.#act(() => this.refreshCameras());

  /** Quietly, for polling: camera states change by themselves. */
  async refreshCameras(): Promise<void> {
    const [d, h] = await Promise.all([listDeployments(), api.api.health.report.$get().then((r) => r.json() as Promise<HealthReport>)]);
    this.deployments = d.deployments;
    this.cameras = h.cameras;
    this.authorisations = h.authorisations ?? [];
  }

  /** Every camera the appliance knows: configured, reporting its state, or refused for want of authorisation. */
  get cameraIds(): string[] {
    return [...new Set([...this.cameras.map((c) => c.cameraId), ...this.authorisations.map((a) => a.cameraId)])].sort();
  }

  authorise(f: DeploymentForm) {
    return this.#act(async () => {
      await ok(
        api.api.deployments.$post({
          json: {
            id: f.id,
            cameraId: f.cameraId,
            mode: f.mode,
            location: { lat: Number(f.lat), lon: Number(f.lon), description: f.description },
            publicViewAttested: f.publicViewAttested as true,
            purpose: f.purpose,
          },
        }),
      );
      await this.loadCameras();
      return `Deployment ${f.id} authorised for ${f.cameraId}.`;
    });
  }

  rescind(id: string, reason: string) {
    return this.#act(async () => {
      await ok(api.api.deployments[':id'].rescind.$post({ param: { id }, json: { reason } }));
      await this.loadCameras();
      return `Deployment ${id} rescinded.`;
    });
  }

  /** A deployment's results and exceptions, for the annual evaluation (guidelines 5e). */
  deploymentEvent(id: string, kind: 'result' | 'exception', note: string) {
    return this.#act(async () => {
      await ok(api.api.deployments[':id'].events.$post({ param: { id }, json: { kind, note } }));
      await this.refreshCameras();
      return `${kind === 'result' ? 'Result' : 'Exception'} recorded for ${id}.`;
    });
  }

  loadRetention = () => this.#act(async () => void (this.retention = await getRetention()));
  runRetention = () =>
    this.#act(async () => {
      const r = await ok(api.api.retention.run.$post());
      this.retention = await getRetention();
      return `Retention run: ${r.runs.map((x) => `${x.table} ${x.purgedRows} purged`).join(', ') || 'nothing expired'}.`;
    });
}
