import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findPii, piiProblem, refusePii } from './pii.ts';

const kinds = (text: string, anyDate = false) => findPii(text, { anyDate }).map((f) => f.kind);

describe('findPii', () => {
  it.each([
    ['SSN 123-45-6789 on file', 'social security number'],
    ['subject 123 45 6789', 'social security number'],
    ['ssn: 123456789', 'social security number'],
    ['Social Security No. 123-45-6789', 'social security number'],
    ['DOB 01/02/1980', 'date of birth'],
    ['d.o.b. 1980-01-02', 'date of birth'],
    ['born Jan 2, 1980 in Tampa', 'date of birth'],
    ['date of birth: 2 January 1980', 'date of birth'],
    ['driver born in 1980', 'date of birth'],
    ['lives at 123 Main St', 'street address'],
    ['4500 W. Tennessee Street, Tallahassee', 'street address'],
    ['1600 Pennsylvania Avenue', 'street address'],
    ['mail to P.O. Box 1234', 'street address'],
    ['call (850) 555-0100', 'phone number'],
    ['cell 850-555-0100', 'phone number'],
    ['850.555.0100 after 5', 'phone number'],
    ['+1 850 555 0100', 'phone number'],
    ['contact j.q.public@example.com', 'e-mail address'],
  ])('finds the identifier in %j', (text, kind) => {
    expect(kinds(text)).toEqual([kind]);
  });

  it.each([
    'Burglary series, Capital Circle corridor',
    'stolen vehicle, black sedan, rear damage',
    'case 24-0031 A; report 2025-000118',
    'record FL0370000 entered by ORI FL0370000',
    'I-10 westbound at mile 199',
    'US-27 at Capital Circle',
    'plate ABC1234, partial match with ABC123',
    'reference PRR-2025-0118',
    'seen 3 times on the way to court',
    'warrant 2024CF001234',
    'report 8505550100',
  ])('passes ordinary police text %j', (text) => {
    expect(findPii(text)).toEqual([]);
  });

  it('refuses a bare full date only when asked to (titles), and then also a labelled one once', () => {
    expect(kinds('robbery 03/14/2025')).toEqual([]);
    expect(kinds('robbery 03/14/2025', true)).toEqual(['date']);
    expect(kinds('robbery on March 14, 2025', true)).toEqual(['date']);
    expect(kinds('robbery 2025-03-14', true)).toEqual(['date']);
    expect(kinds('case 2025-000118', true)).toEqual([]);
    expect(kinds('DOB 01/02/1980', true)).toEqual(['date of birth']);
  });

  it('reports each kind once, in the order they occur', () => {
    expect(kinds('J. Doe, 123 Main St, (850) 555-0100, SSN 123-45-6789, jdoe@example.com')).toEqual([
      'street address',
      'phone number',
      'social security number',
      'e-mail address',
    ]);
  });
});

describe('piiProblem', () => {
  it('names what it found without repeating it, and says what to do instead', () => {
    const msg = piiProblem('requester at 123 Main St, SSN 123-45-6789')!;
    expect(msg).toMatch(/a street address and a social security number/);
    expect(msg).toMatch(/agency's own record/);
    expect(msg).not.toMatch(/123/);
    expect(piiProblem('an e-mail: a@b.co')).toMatch(/an e-mail address/);
    expect(piiProblem('vehicle of interest')).toBeNull();
  });

  it('works as a zod refinement, with the field named in the issue path', () => {
    const schema = z.strictObject({ title: z.string().superRefine(refusePii({ anyDate: true })) });
    const r = schema.safeParse({ title: 'robbery 03/14/2025' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['title'], message: expect.stringMatching(/a date\)/) });
    expect(schema.safeParse({ title: 'robbery series' }).success).toBe(true);
  });
});
