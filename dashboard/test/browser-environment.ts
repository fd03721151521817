import type { Environment } from 'vitest/environments';

/**
 * The few browser globals the dashboard's state classes touch, for their unit tests in Node:
 * a location and history, localStorage, EventSource (driven by the test), and a document just
 * large enough for a download link. The modules are compiled for the client, as in the
 * browser, so runes behave as they do on the page. fetch is Node's; each test answers it.
 */
export class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static readonly opened: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  constructor(readonly url: string) {
    super();
    FakeEventSource.opened.push(this);
  }
  /** The server sends an event of this type with this JSON data. */
  emit(type: string, data: unknown = {}): void {
    if (type === 'ready') this.readyState = FakeEventSource.OPEN;
    this.dispatchEvent(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }
}

class MemoryStorage {
  #items = new Map<string, string>();
  getItem = (k: string) => this.#items.get(k) ?? null;
  setItem = (k: string, v: string) => void this.#items.set(k, String(v));
  removeItem = (k: string) => void this.#items.delete(k);
  clear = () => this.#items.clear();
}

export default (<Environment>{
  name: 'dashboard-browser',
  viteEnvironment: 'client',
  setup(global: Record<string, unknown>) {
    const url = new URL('http://dashboard.test/');
    const win = new EventTarget();
    const globals: Record<string, unknown> = {
      location: url,
      history: {
        pushState: (_s: unknown, _t: string, path: string) => (url.href = new URL(path, url).href),
        replaceState: (_s: unknown, _t: string, path: string) => (url.href = new URL(path, url).href),
      },
      localStorage: new MemoryStorage(),
      EventSource: FakeEventSource,
      addEventListener: win.addEventListener.bind(win),
      removeEventListener: win.removeEventListener.bind(win),
      dispatchEvent: win.dispatchEvent.bind(win),
      document: {
        body: { append: () => {} },
        createElement: () => ({ click: () => {}, remove: () => {} }),
      },
    };
    const before = new Map(Object.keys(globals).map((k) => [k, Object.getOwnPropertyDescriptor(global, k)]));
    for (const [k, v] of Object.entries(globals)) Object.defineProperty(global, k, { value: v, configurable: true, writable: true });
    return {
      teardown(g: Record<string, unknown>) {
        for (const [k, d] of before) {
          if (d) Object.defineProperty(g, k, d);
          else delete g[k];
        }
      },
    };
  },
});
