import { api, ApiError, messageOf, ok, onAuthFailure, setCsrfToken } from './api.ts';
import { whileBusy } from './busy.ts';
import { setTimeZone } from './format.ts';

export type SessionInfo = Awaited<ReturnType<typeof loadSession>>;
const loadSession = () => ok(api.api.auth.session.$get(), true);

/** Re-checks the session this often: the server's idle lock shows within a minute. */
const CHECK_MS = 60_000;

/**
 * Who is signed in, with what permissions; sign-in, unlock and sign-out. The server decides
 * locking (30 idle minutes; polling does not count), so the page learns it from any 401 that
 * says "locked" and from a passive session check each minute.
 */
export class SessionState {
  user = $state<SessionInfo | null>(null);
  /** The first session check has answered (before it, nothing is drawn). */
  ready = $state(false);
  locked = $state(false);
  banner = $state('');
  error = $state<string | null>(null);
  busy = $state(false);
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor() {
    onAuthFailure((e) => {
      if (e.locked) this.locked = true;
      else if (this.user) this.#signedOut('Your session ended; sign in again.');
    });
  }

  can(...perms: string[]): boolean {
    return !!this.user && perms.some((p) => this.user!.permissions.includes(p as never));
  }

  async start(): Promise<void> {
    await Promise.all([this.load(), this.loadBanner()]);
    this.ready = true;
    this.#timer = setInterval(() => void (this.user && !this.locked && this.load()), CHECK_MS);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  async loadBanner(): Promise<void> {
    try {
      const b = await ok(api.api.auth.banner.$get());
      this.banner = b.banner;
      setTimeZone(b.timeZone);
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  async load(): Promise<void> {
    try {
      const s = await loadSession();
      setTimeZone(s.timeZone);
      this.user = s;
      setCsrfToken(s.csrfToken);
    } catch (err) {
      if (err instanceof ApiError && err.locked) this.locked = true;
      else if (err instanceof ApiError && err.status === 401) this.user = null;
      else this.error = messageOf(err);
    }
  }

  #run(fn: () => Promise<void>): Promise<boolean> {
    return whileBusy(this, fn);
  }

  login(form: { username: string; password: string; code: string; bannerAccepted: boolean }): Promise<boolean> {
    return this.#run(async () => {
      const r = await ok(api.api.auth.login.$post({ json: form }), true);
      setCsrfToken(r.csrfToken);
      this.locked = false;
      await this.load();
    });
  }

  unlock(form: { password: string; code: string }): Promise<boolean> {
    return this.#run(async () => {
      const r = await ok(api.api.auth.unlock.$post({ json: form }), true);
      setCsrfToken(r.csrfToken);
      this.locked = false;
      await this.load();
    });
  }

  async logout(): Promise<void> {
    await ok(api.api.auth.logout.$post(), true).catch(() => undefined);
    this.#signedOut(null);
  }

  #signedOut(message: string | null): void {
    this.user = null;
    this.locked = false;
    setCsrfToken(null);
    this.error = message;
  }
}
