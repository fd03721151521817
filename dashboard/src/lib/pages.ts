import type { SessionState } from './session.svelte.ts';

export interface PageLink {
  path: string;
  label: string;
  /** Alt+key jumps to the page (command-centre keyboards). */
  key: string;
}

/** The pages a role may open: each shown only to those its routes admit, so no page is a wall of 403s. */
export function pagesFor(s: SessionState): PageLink[] {
  const all: [PageLink, boolean][] = [
    [{ path: '/live', label: 'Live', key: '1' }, s.can('alerts.view', 'deployments.read')],
    [{ path: '/metrics', label: 'Metrics', key: '2' }, true],
    [{ path: '/search', label: 'Search', key: '3' }, s.can('reads.tactical', 'reads.investigate')],
    [{ path: '/audit', label: 'Audit & reports', key: '4' }, s.can('audit.read', 'reports.read')],
    [
      { path: '/admin', label: 'Administration', key: '5' },
      s.can('users.manage', 'deployments.manage', 'retention.manage', 'hotlist.import'),
    ],
  ];
  return all.filter(([, ok]) => ok).map(([p]) => p);
}
