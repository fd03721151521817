import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering, checked on the import lines of every source file: contracts/ depends on no other
 * folder, the folders import each other without a cycle, and a folder reaches another only
 * through that folder's index.ts, so that what a part offers the others is the list its index
 * names. Tests (test/ and *.test.ts) may reach inside a part; the dashboard is held to its own
 * rule (it imports the API's type and contracts/) by its own check.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Folders that are not parts of the appliance. */
const NOT_PARTS = new Set(['node_modules', 'test', 'dashboard', 'scripts', 'bin', 'docs']);

interface Import {
  from: string;
  to: string;
  /** `import type` / `export type`: erased when the code runs, so it orders nothing at start. */
  typeOnly: boolean;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || e.name === 'node_modules') return [];
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const STATIC = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(STATIC)) out.push({ from: file, to: path.resolve(path.dirname(file), m[3]!), typeOnly: Boolean(m[2]) });
  for (const m of text.matchAll(DYNAMIC)) out.push({ from: file, to: path.resolve(path.dirname(file), m[1]!), typeOnly: false });
  return out;
}

const rel = (p: string) => path.relative(root, p);
const folderOf = (p: string) => rel(p).split(path.sep)[0]!;
const isTest = (p: string) => p.endsWith('.test.ts');

const parts = readdirSync(root, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !NOT_PARTS.has(e.name))
  .map((e) => e.name)
  .filter((name) => tsFiles(path.join(root, name)).length > 0);
const sourceFiles = parts.flatMap((p) => tsFiles(path.join(root, p))).filter((f) => !isTest(f));
const crossFolder = sourceFiles.flatMap(importsOf).filter((i) => folderOf(i.to) !== folderOf(i.from));

describe('architecture', () => {
  it('finds the parts and their imports', () => {
    expect(parts).toEqual(expect.arrayContaining(['access', 'alerts', 'appliance', 'contracts', 'hotlist', 'matcher', 'pipeline', 'server', 'store']));
    expect(crossFolder.length).toBeGreaterThan(50);
  });

  it('contracts/ imports no other folder', () => {
    expect(crossFolder.filter((i) => folderOf(i.from) === 'contracts').map((i) => `${rel(i.from)} -> ${rel(i.to)}`)).toEqual([]);
  });

  it('every cross-folder import goes through the target folder’s index.ts', () => {
    const bypassing = crossFolder.filter((i) => path.basename(i.to) !== 'index.ts').map((i) => `${rel(i.from)} -> ${rel(i.to)}`);
    expect(bypassing).toEqual([]);
  });

  it('the folders import each other without a cycle', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of crossFolder.filter((x) => !x.typeOnly)) {
      const set = edges.get(folderOf(i.from)) ?? new Set<string>();
      set.add(folderOf(i.to));
      edges.set(folderOf(i.from), set);
    }
    const cycles: string[] = [];
    const walk = (node: string, trail: string[]) => {
      for (const next of edges.get(node) ?? []) {
        if (next === trail[0]) cycles.push([...trail, next].join(' -> '));
        else if (!trail.includes(next) && next > trail[0]!) walk(next, [...trail, next]);
      }
    };
    for (const start of edges.keys()) walk(start, [start]);
    expect(cycles).toEqual([]);
  });
});
