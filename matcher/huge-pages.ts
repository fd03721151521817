/**
 * The environment for a process that holds a matcher index: glibc's large allocations (the
 * index's ArrayBuffers) on transparent huge pages.
 *
 * Why: a list of ten million entries is about a gigabyte of arrays read at random, a few dozen
 * places per read. With 4 KiB pages nearly every one of those reads misses the TLB, and on a
 * virtual machine a TLB miss walks two sets of page tables; with 2 MiB pages the whole index
 * fits in the TLB. `glibc.malloc.hugetlb=1` makes malloc advise huge pages for what it maps,
 * which the kernel honours in its default "madvise" mode (Debian's). Where THP is off it
 * changes nothing. glibc reads tunables once at start, so this is set on the child process.
 */
export function hugePagesEnv(env: NodeJS.ProcessEnv = process.env): { GLIBC_TUNABLES: string } {
  const tunables = env.GLIBC_TUNABLES;
  if (tunables?.includes('glibc.malloc.hugetlb')) return { GLIBC_TUNABLES: tunables };
  return { GLIBC_TUNABLES: tunables ? `${tunables}:glibc.malloc.hugetlb=1` : 'glibc.malloc.hugetlb=1' };
}
