import { api, messageOf, ok } from './api.ts';
import { whileBusy } from './busy.ts';

/** `reset`: an administrator reset this account's credentials (who, when), shown to whoever opens the link. */
type Begun = {
  secret: string;
  otpauthUri: string;
  banner: string;
  username?: string;
  displayName?: string;
  reset?: { by: string; at: string } | null;
};

/**
 * The one-time links: /setup#TOKEN (the first administrator, on a first start) and
 * /enrol#TOKEN (a designated user). Begin shows the authenticator secret; complete sets the
 * password and proves the authenticator with its first code.
 */
export class EnrolmentFlow {
  begun = $state<Begun | null>(null);
  done = $state<string | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);

  constructor(
    readonly kind: 'setup' | 'enrol',
    readonly token: string | null,
  ) {}

  async begin(): Promise<void> {
    if (!this.token) {
      this.error = 'This link has no token: open the full link exactly as it was given to you.';
      return;
    }
    try {
      this.begun =
        this.kind === 'setup'
          ? await ok(api.api.setup.begin.$post({ json: { token: this.token } }))
          : await ok(api.api.enrol.begin.$post({ json: { token: this.token } }));
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  async complete(form: { username: string; displayName: string; password: string; code: string }): Promise<void> {
    if (!this.token) return;
    const token = this.token;
    await whileBusy(this, async () => {
      const r =
        this.kind === 'setup'
          ? await ok(api.api.setup.complete.$post({ json: { token, ...form } }))
          : await ok(api.api.enrol.complete.$post({ json: { token, password: form.password, code: form.code } }));
      this.done = r.username;
    });
  }
}
