import { describe, expect, it } from 'vitest';
import { hugePagesEnv } from './huge-pages.ts';

describe('hugePagesEnv', () => {
  it('asks glibc for huge pages, keeping tunables already set', () => {
    expect(hugePagesEnv({})).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
    expect(hugePagesEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toEqual({
      GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1',
    });
    // An operator's own choice (hugetlb=0 to turn it off) is left alone.
    expect(hugePagesEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' })).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' });
  });
});
