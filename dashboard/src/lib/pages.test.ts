import { describe, expect, it } from 'vitest';
import { landingFor, pagesFor, routeFor } from './pages.ts';

// The permissions of each role, as access/roles.ts grants them.
const PERMS: Record<string, string[]> = {
  operator: ['self', 'alerts.view', 'alerts.act', 'reads.tactical', 'cases.read', 'deployments.read'],
  supervisor: [
    'self',
    'alerts.view',
    'alerts.act',
    'alerts.supervise',
    'alerts.historical',
    'reads.tactical',
    'cases.read',
    'deployments.read',
  ],
  investigator: [
    'self',
    'alerts.view',
    'alerts.historical',
    'reads.tactical',
    'reads.investigate',
    'cases.read',
    'cases.write',
    'disseminate',
    'deployments.read',
  ],
  admin: [
    'self',
    'users.manage',
    'retention.manage',
    'deployments.manage',
    'deployments.read',
    'cases.read',
    'cases.write',
    'hotlist.import',
    'reports.read',
    'disseminate',
  ],
  auditor: ['self', 'audit.read', 'reports.read', 'deployments.read', 'cases.read'],
};
const who = (...roles: string[]) => {
  const perms = new Set(roles.flatMap((r) => PERMS[r] ?? []));
  return { user: { roles }, can: (...p: string[]) => p.some((x) => perms.has(x)) };
};

describe('pages by role', () => {
  it('lands each role on its own first page', () => {
    expect(landingFor(who('operator'))).toBe('/live');
    expect(landingFor(who('supervisor'))).toBe('/live');
    expect(landingFor(who('investigator'))).toBe('/search');
    expect(landingFor(who('admin'))).toBe('/admin');
    expect(landingFor(who('auditor'))).toBe('/audit');
    // An administrator who also investigates starts at search.
    expect(landingFor(who('admin', 'investigator'))).toBe('/search');
    expect(routeFor('/', who('auditor'))).toEqual({ kind: 'landing', path: '/audit' });
  });

  it('names a page the role may not open instead of showing another, and tells an unknown one apart', () => {
    expect(pagesFor(who('operator')).map((p) => p.path)).toEqual(['/live', '/metrics', '/search']);
    expect(routeFor('/admin', who('operator'))).toEqual({ kind: 'forbidden', page: expect.objectContaining({ label: 'Administration' }) });
    expect(routeFor('/live', who('auditor'))).toMatchObject({ kind: 'page' });
    expect(routeFor('/search', who('auditor'))).toMatchObject({ kind: 'forbidden', page: { label: 'Search' } });
    expect(routeFor('/nowhere', who('admin'))).toEqual({ kind: 'unknown', path: '/nowhere' });
    expect(routeFor('/admin', who('admin'))).toMatchObject({ kind: 'page', page: { path: '/admin' } });
  });
});
