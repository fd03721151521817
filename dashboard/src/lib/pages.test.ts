import { describe, expect, it } from 'vitest';
import { permissionsOf, type Role } from '../../../access/roles.ts';
import { landingFor, pagesFor, routeFor } from './pages.ts';

// The permissions of each role as the appliance grants them (access/roles.ts: pure, no imports,
// so the test takes the table itself rather than a copy that could drift from it).
const who = (...roles: Role[]) => {
  const perms: ReadonlySet<string> = permissionsOf(roles);
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
