import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { nkeys } from '@nats-io/transport-node';

/**
 * The secrets of the embedded nats-server, made on first start and kept under the data dir:
 * one nkey seed per service identity (the server's configuration holds only the public keys),
 * and, where TLS is on, a CA and a server certificate signed by it (openssl CLI). Directories
 * mode 0700, secrets 0600: readable by the appliance's user only.
 */

function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** The public key of each identity, its seed created in `dir` (`<identity>.nk`) if it has none yet. */
export function ensureNkeySeeds(dir: string, identities: string[]): Map<string, string> {
  privateDir(dir);
  const keys = new Map<string, string>();
  for (const identity of identities) {
    const file = path.join(dir, `${identity}.nk`);
    let seed: Uint8Array;
    if (existsSync(file)) {
      // A seed copied in by hand may have come with a looser mode.
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      seed = new TextEncoder().encode(readFileSync(file, 'utf8').trim());
    } else {
      seed = nkeys.createUser().getSeed();
      writeFileSync(file, new TextDecoder().decode(seed) + '\n', { mode: 0o600, flag: 'wx' });
    }
    let publicKey: string;
    try {
      publicKey = nkeys.fromSeed(seed).getPublicKey();
    } catch (err) {
      throw new Error(
        `${file} is not an nkey seed (${(err as Error).message}): remove it to have a new one generated, or put the right seed there`,
      );
    }
    if (!publicKey.startsWith('U'))
      throw new Error(`${file} holds an nkey seed that is not a user's (${publicKey[0]}...): NATS users need a seed starting "SU"`);
    keys.set(identity, publicKey);
  }
  return keys;
}

export interface NatsTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** Names a server certificate must carry: every name the services or sites may use to reach it. */
export function serverCertNames(hosts: string[]): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const h of hosts) {
    if (h === '0.0.0.0' || h === '::') continue; // every interface: reached by the names above or configured ones
    if (/^[\d.]+$/.test(h) || h.includes(':')) ips.add(h.replace(/^\[|\]$/g, ''));
    else dns.add(h);
  }
  return { dns: [...dns], ips: [...ips] };
}

/**
 * A CA and a server certificate for the embedded server in `dir`, generated with openssl when
 * missing (P-256, the CA for ten years, the certificate for two). Clients verify the server
 * against ca.pem; the CA's key stays here so that a later certificate (a new host name) can be
 * signed by the same CA the sites already trust.
 */
export function ensureNatsTls(dir: string, hosts: string[], openssl = 'openssl'): NatsTlsFiles {
  privateDir(dir);
  const f = {
    caFile: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca.key'),
    certFile: path.join(dir, 'server.pem'),
    keyFile: path.join(dir, 'server.key'),
  };
  const run = (args: string[]) => {
    try {
      execFileSync(openssl, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      const stderr = String((err as { stderr?: Buffer }).stderr ?? '')
        .trim()
        .split('\n')
        .slice(-2)
        .join(' ');
      throw new Error(`generating the NATS TLS certificates with ${openssl} failed: ${stderr || (err as Error).message}`);
    }
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  if (!existsSync(f.caFile) || !existsSync(f.caKey)) {
    run([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      f.caKey,
      '-out',
      f.caFile,
      '-days',
      '3650',
      '-subj',
      '/CN=ALPR appliance NATS CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    rmSync(f.certFile, { force: true }); // a certificate of an earlier CA would not verify
  }
  const { dns, ips } = serverCertNames(hosts);
  // The names it was issued for: new ones (nats.tls.names, another host) need a new certificate.
  const namesFile = path.join(dir, 'server.names');
  const names = [...dns, ...ips].join('\n') + '\n';
  const issuedFor = existsSync(namesFile) ? readFileSync(namesFile, 'utf8') : null;
  if (!existsSync(f.certFile) || !existsSync(f.keyFile) || issuedFor !== names) {
    const csr = path.join(dir, 'server.csr');
    const ext = path.join(dir, 'server.ext');
    writeFileSync(
      ext,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth,clientAuth',
        `subjectAltName=${[...dns.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(',')}`,
      ].join('\n') + '\n',
    );
    run(['req', ...ec, '-keyout', f.keyFile, '-out', csr, '-subj', '/CN=alpr-nats']);
    run([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      f.caFile,
      '-CAkey',
      f.caKey,
      '-set_serial',
      `0x${Date.now().toString(16)}`,
      '-days',
      '825',
      '-out',
      f.certFile,
      '-extfile',
      ext,
    ]);
    rmSync(csr, { force: true });
    rmSync(ext, { force: true });
    writeFileSync(namesFile, names);
  }
  for (const key of [f.caKey, f.keyFile]) chmodSync(key, 0o600);
  return { certFile: f.certFile, keyFile: f.keyFile, caFile: f.caFile };
}
