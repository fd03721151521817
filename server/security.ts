import type { MiddlewareHandler } from 'hono';

/**
 * Browser hardening for every answer of the appliance's one origin.
 *
 * The dashboard is built by Vite into external scripts and style sheets, so it needs nothing
 * inline: the policy allows only the origin itself. Images of plates come from the API as blobs
 * (object URLs); the map's boundaries are bundled, and its raster tiles come only from the tile
 * server the agency configured (dashboard.map.tileUrl), whose origin alone is added to img-src.
 * No page of the appliance may be framed: sign-in, searches and alert verification would
 * otherwise be open to clickjacking.
 */
export function dashboardCsp(imageOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    ["img-src 'self' data: blob:", ...imageOrigins].join(' '),
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
export const DASHBOARD_CSP = dashboardCsp();

const COMMON_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Addresses of the appliance's pages carry case numbers and plates in their queries.
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

export interface SecurityHeadersOptions {
  /** The listener serves HTTPS (directly or behind a TLS-terminating proxy): send HSTS. */
  https?: boolean;
  /** Origins the dashboard may load images from beyond its own: the configured map tile server. */
  imageOrigins?: readonly string[];
}

/**
 * Sets the hardening headers after the route has answered. A route that sends its own CSP
 * (the printable reports, which need inline styles) keeps it, with framing still refused.
 * Every /api answer is `no-store`: reads, alerts, images and session data must not outlive
 * the session in a shared browser's cache or a proxy; a route may only make it stricter.
 */
export function securityHeaders(opts: SecurityHeadersOptions = {}): MiddlewareHandler {
  const policy = dashboardCsp(opts.imageOrigins);
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    for (const [k, v] of Object.entries(COMMON_HEADERS)) h.set(k, v);
    const csp = h.get('content-security-policy');
    if (!csp) h.set('content-security-policy', policy);
    else if (!/frame-ancestors/.test(csp)) h.set('content-security-policy', `${csp}; frame-ancestors 'none'`);
    if (c.req.path === '/api' || c.req.path.startsWith('/api/')) {
      const cc = h.get('cache-control');
      if (!cc || !/no-store/.test(cc)) h.set('cache-control', 'no-store');
      h.set('pragma', 'no-cache');
    }
    if (opts.https) h.set('strict-transport-security', 'max-age=31536000');
  };
}

export interface BodyLimitOptions {
  /** Largest request body any /api route parses. */
  maxBytes: number;
  /** Routes that stream a large body themselves under their own limit (hotlist uploads). */
  exempt?: (method: string, path: string) => boolean;
}

/** The API's JSON documents are small; the default leaves room for long hold and export lists. */
export const API_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Refuses an oversized body with 413 before anything parses it: the access guard reads small
 * bodies for the audit log, and a route parses its own. A body with a length is judged by its
 * header without being read; a chunked one is read only up to the limit and handed on buffered,
 * with its length set, so that later limits judge it by the header and never read it twice.
 */
export function apiBodyLimit(opts: BodyLimitOptions): MiddlewareHandler {
  const tooLarge = (c: Parameters<MiddlewareHandler>[0]) =>
    c.json({ error: `request body too large (at most ${opts.maxBytes} bytes)` }, 413);
  return async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body || !(c.req.path === '/api' || c.req.path.startsWith('/api/')) || opts.exempt?.(c.req.method, c.req.path)) return next();
    const declared = raw.headers.get('content-length');
    if (declared !== null && !raw.headers.has('transfer-encoding')) return Number(declared) > opts.maxBytes ? tooLarge(c) : next();
    const reader = raw.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > opts.maxBytes) {
        await reader.cancel().catch(() => {});
        return tooLarge(c);
      }
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let at = 0;
    for (const ch of chunks) {
      body.set(ch, at);
      at += ch.length;
    }
    const headers = new Headers(raw.headers);
    headers.delete('transfer-encoding');
    headers.set('content-length', String(size));
    c.req.raw = new Request(raw.url, { method: raw.method, headers, body, signal: raw.signal });
    return next();
  };
}
