import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing with scrypt, the memory-hard KDF in node:crypto. The parameters are stored
 * with each hash ("scrypt$N$r$p$salt$hash"), so raising the cost later leaves old hashes valid.
 */
export interface ScryptCost {
  cost: number;
  blockSize: number;
  parallelization: number;
}

const KEY_LEN = 32;

function derive(password: string, salt: Buffer, c: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LEN,
      { N: c.cost, r: c.blockSize, p: c.parallelization, maxmem: 256 * c.cost * c.blockSize + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string, cost: ScryptCost): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.cost, cost.blockSize, cost.parallelization, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Constant-time comparison; a malformed stored hash verifies nothing rather than throwing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await derive(password, Buffer.from(parts[4]!, 'base64'), { cost: N, blockSize: r, parallelization: p });
  return expected.length === key.length && timingSafeEqual(expected, key);
}

/**
 * A hash of a random password, verified against when the user does not exist, so that a
 * sign-in for an unknown name costs as long as one for a known name.
 */
export async function decoyHash(cost: ScryptCost): Promise<string> {
  return hashPassword(randomBytes(16).toString('hex'), cost);
}

/** Why a new password is refused, or null. Length over composition rules (NIST SP 800-63B, CJIS 5.6.2.1). */
export function passwordProblem(password: string, opts: { minLength: number; username: string }): string | null {
  if (typeof password !== 'string') return 'a password is required';
  if ([...password].length < opts.minLength) return `at least ${opts.minLength} characters`;
  if (password.length > 256) return 'at most 256 characters';
  if (password.toLowerCase().includes(opts.username.toLowerCase())) return 'must not contain the user name';
  if (/^(.)\1+$/.test(password)) return 'must not repeat one character';
  return null;
}
