/**
 * Path-based navigation: the appliance answers every non-/api path with the dashboard, so
 * /search or /admin can be bookmarked and reloaded. One-time links carry their token in the
 * fragment, which browsers never send to a server or put in a Referer.
 */
export class Router {
  path = $state(location.pathname);

  constructor() {
    addEventListener('popstate', () => (this.path = location.pathname));
  }

  go(path: string): void {
    if (path === this.path) return;
    history.pushState(null, '', path);
    this.path = path;
  }

  /** Goes to a path without a new history entry (the bare address resolved to a role's first page). */
  replace(path: string): void {
    if (path === this.path) return;
    history.replaceState(null, '', path);
    this.path = path;
  }

  /** Takes the token from the URL fragment once and wipes it from the address bar and history. */
  takeFragmentToken(): string | null {
    const token = location.hash.slice(1);
    if (token) history.replaceState(null, '', location.pathname);
    return /^[A-Za-z0-9_-]{10,100}$/.test(token) ? token : null;
  }
}

export const router = new Router();
