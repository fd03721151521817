import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, otpauthUri, totpAt, verifyTotp } from './totp.ts';

// RFC 6238 appendix B, SHA-1, last six digits of the eight given there.
const SECRET = base32Encode(Buffer.from('12345678901234567890'));
const vectors: [number, string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
];

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC test vectors', () => {
    expect(SECRET).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    for (const [t, code] of vectors) expect(totpAt(SECRET, Math.floor(t / 30))).toBe(code);
  });

  it('round-trips base32 and refuses foreign characters', () => {
    const buf = Buffer.from([0, 1, 2, 250, 251, 252, 253]);
    expect(base32Decode(base32Encode(buf))).toEqual(buf);
    expect(() => base32Decode('ABC1')).toThrow();
  });

  it('accepts one step of drift, not two, and refuses replays of a used step', () => {
    const now = new Date(1234567890_000);
    const step = Math.floor(1234567890 / 30);
    expect(verifyTotp(SECRET, totpAt(SECRET, step - 1), now)).toBe(step - 1);
    expect(verifyTotp(SECRET, totpAt(SECRET, step + 1), now)).toBe(step + 1);
    expect(verifyTotp(SECRET, totpAt(SECRET, step - 2), now)).toBeNull();
    expect(verifyTotp(SECRET, totpAt(SECRET, step), now, step)).toBeNull();
    expect(verifyTotp(SECRET, totpAt(SECRET, step), now, step - 1)).toBe(step);
  });

  it('refuses malformed codes without throwing', () => {
    const now = new Date();
    for (const bad of ['', '12345', '1234567', 'abcdef', ' 12345', undefined as unknown as string])
      expect(verifyTotp(SECRET, bad, now)).toBeNull();
  });

  it('builds an otpauth URI an authenticator app reads', () => {
    expect(otpauthUri({ secret: SECRET, account: 'j.doe', issuer: 'ALPR appliance' })).toBe(
      `otpauth://totp/ALPR%20appliance%3Aj.doe?secret=${SECRET}&issuer=ALPR+appliance&algorithm=SHA1&digits=6&period=30`,
    );
  });
});
