import { createSocket, type Socket } from 'node:dgram';
import { hostname } from 'node:os';
import { isIPv6 } from 'node:net';
import { startSignedPoster, type Logger } from '../contracts/index.ts';
import type { Anchor } from './anchor.ts';

/**
 * Copies of each audit anchor off the box: whoever can rewrite both the store and the data
 * directory still cannot recall what a receiver already holds. Sending never blocks anchoring.
 */
export interface AnchorSink {
  name: string;
  send(anchor: Anchor): void;
  stop?(): void;
}

/** What receivers get: the site, and the anchor as written to the anchors file. */
export const anchorEvent = (siteId: string, anchor: Anchor) => ({ type: 'audit.anchor' as const, siteId, anchor });

/** To the alert webhook's receiver, signed the same way (x-alpr-signature), with its retries. */
export function webhookAnchorSink(opts: {
  url: string;
  secret: string;
  maxAttempts: number;
  timeoutMs: number;
  siteId: string;
  logger: Logger;
  fetchImpl?: typeof fetch;
}): AnchorSink {
  const poster = startSignedPoster({
    url: opts.url,
    secret: opts.secret,
    maxAttempts: opts.maxAttempts,
    timeoutMs: opts.timeoutMs,
    logger: opts.logger,
    fetchImpl: opts.fetchImpl,
  });
  return {
    name: 'webhook',
    send: (anchor) => poster.send(JSON.stringify(anchorEvent(opts.siteId, anchor)), 'audit.anchor'),
    stop: () => poster.stop(),
  };
}

/** facility 13 (log audit) * 8 + severity 6 (informational). */
const PRI = 13 * 8 + 6;

/** One RFC 5424 line: <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG. */
export function syslogLine(siteId: string, anchor: Anchor, host = hostname()): string {
  const safeHost = host.replace(/[^\x21-\x7e]/g, '').slice(0, 255) || '-';
  return `<${PRI}>1 ${anchor.at} ${safeHost} alpr - audit.anchor - ${JSON.stringify(anchorEvent(siteId, anchor))}`;
}

/** Over UDP, as collectors take it by default; a lost datagram is covered by the next anchor. */
export function syslogAnchorSink(opts: { host: string; port: number; siteId: string; logger: Logger }): AnchorSink {
  const host = opts.host.replace(/^\[|\]$/g, '');
  let socket: Socket | null = null;
  let pending = 0;
  let closing = false;
  const closeIfIdle = () => {
    if (closing && pending === 0 && socket) {
      socket.close();
      socket = null;
    }
  };
  return {
    name: 'syslog',
    send(anchor) {
      if (!socket) {
        socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
        socket.on('error', (err) => opts.logger.warn('syslog anchor sink error', { err }));
        socket.unref();
      }
      pending++;
      socket.send(syslogLine(opts.siteId, anchor), opts.port, host, (err) => {
        pending--;
        if (err) opts.logger.warn('syslog anchor not sent', { err, host: opts.host, port: opts.port });
        closeIfIdle();
      });
    },
    stop() {
      // The last anchor (sent just before) still leaves.
      closing = true;
      closeIfIdle();
    },
  };
}
