import { describe, expect, it } from 'vitest';
import { DEFAULT_PLATE_READER, PLATE_READERS } from '../../contracts/index.ts';
import { DEFAULT_READER, readerNames } from './index.ts';

describe('reader names', () => {
  it('accepts in the configuration exactly the readers the pipeline registers', () => {
    // Registering a reader without naming it in contracts (or the reverse) fails here, not on a camera at start.
    expect([...readerNames()].sort()).toEqual([...PLATE_READERS].sort());
    expect(DEFAULT_READER).toBe(DEFAULT_PLATE_READER);
  });
});
