import type { SessionState } from './session.svelte.ts';

export interface PageLink {
  path: string;
  label: string;
  /** Alt+key jumps to the page (command-centre keyboards). */
  key: string;
}

type Who = Pick<SessionState, 'can'> & { user: { roles: readonly string[] } | null };

/** Every page of the dashboard, whoever may open it: a forbidden one is named, not swapped for another. */
export const ALL_PAGES: PageLink[] = [
  { path: '/live', label: 'Live', key: '1' },
  { path: '/metrics', label: 'Metrics', key: '2' },
  { path: '/search', label: 'Search', key: '3' },
  { path: '/audit', label: 'Audit & reports', key: '4' },
  { path: '/admin', label: 'Administration', key: '5' },
];

/** The pages a role may open: each shown only to those its routes admit, so no page is a wall of 403s. */
export function pagesFor(s: Who): PageLink[] {
  const may: Record<string, boolean> = {
    '/live': s.can('alerts.view', 'deployments.read'),
    '/metrics': true,
    '/search': s.can('reads.tactical', 'reads.investigate'),
    '/audit': s.can('audit.read', 'reports.read'),
    '/admin': s.can('users.manage', 'deployments.manage', 'retention.manage', 'hotlist.import'),
  };
  return ALL_PAGES.filter((p) => may[p.path] ?? false);
}

/**
 * Where each role starts its day: the operator and the supervisor at the live queue, the
 * investigator and the analyst at search, the auditor at the audit log, the administrator at
 * administration. A user with several roles lands by the first in this order.
 */
export const LANDING: [role: string, path: string][] = [
  ['operator', '/live'],
  ['supervisor', '/live'],
  ['investigator', '/search'],
  ['analyst', '/search'],
  ['auditor', '/audit'],
  ['admin', '/admin'],
];

export function landingFor(s: Who, pages: PageLink[] = pagesFor(s)): string {
  const roles = s.user?.roles ?? [];
  for (const [role, path] of LANDING) if (roles.includes(role) && pages.some((p) => p.path === path)) return path;
  return pages[0]?.path ?? '/metrics';
}

export type Route =
  | { kind: 'page'; page: PageLink }
  /** A page the role may not open: named, with the path kept in the address bar. */
  | { kind: 'forbidden'; page: PageLink }
  | { kind: 'unknown'; path: string }
  /** The bare address: the role's first page (the address bar is rewritten to it). */
  | { kind: 'landing'; path: string };

export function routeFor(path: string, s: Who): Route {
  const pages = pagesFor(s);
  if (path === '/' || path === '' || path === '/index.html') return { kind: 'landing', path: landingFor(s, pages) };
  const page = pages.find((p) => p.path === path);
  if (page) return { kind: 'page', page };
  const known = ALL_PAGES.find((p) => p.path === path);
  return known ? { kind: 'forbidden', page: known } : { kind: 'unknown', path };
}
