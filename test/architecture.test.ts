import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering, checked on the import lines of every source file: contracts/ depends on no other
 * folder, the folders import each other without a cycle, and a folder reaches another only
 * through that folder's index.ts, so that what a part offers the others is the list its index
 * names. Tests (test/ and *.test.ts) may reach inside a part, but only for what its index does
 * not offer. The dashboard is held to its own rule (it imports the API's type and contracts/).
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

/** The names an index (or any module) exports, following `export * from`. */
function exportsOf(file: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(file)) return out;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(
    /^export\s+(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm,
  ))
    out.add(m[1]!);
  for (const m of text.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of m[1]!.split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()!
        .trim();
      if (name) out.add(name);
    }
  }
  for (const m of text.matchAll(/^export\s+\*\s+from\s+['"]([^'"]+)['"]/gm))
    for (const n of exportsOf(path.resolve(path.dirname(file), m[1]!), seen)) out.add(n);
  return out;
}

/** Named imports (`import { a, type B } from '../x/y.ts'`) with the names they take. */
const NAMED = /^\s*import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

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
    expect(parts).toEqual(
      expect.arrayContaining(['access', 'alerts', 'appliance', 'contracts', 'hotlist', 'matcher', 'pipeline', 'server', 'store']),
    );
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

  it('tests reach inside another part only for what its index does not offer', () => {
    const testFiles = [...tsFiles(path.join(root, 'test')), ...parts.flatMap((p) => tsFiles(path.join(root, p))).filter(isTest)];
    const needless: string[] = [];
    for (const file of testFiles) {
      for (const m of readFileSync(file, 'utf8').matchAll(NAMED)) {
        const target = path.resolve(path.dirname(file), m[2]!);
        if (!parts.includes(folderOf(target)) || folderOf(target) === folderOf(file) || path.basename(target) === 'index.ts') continue;
        const names = m[1]!
          .split(',')
          .map((n) =>
            n
              .trim()
              .replace(/^type\s+/, '')
              .split(/\s+as\s+/)[0]!
              .trim(),
          )
          .filter(Boolean);
        // Any index between the module and its part's folder will do (pipeline/recognition/index.ts, pipeline/index.ts).
        const indexes: string[] = [];
        for (let dir = path.dirname(target); rel(dir) !== '..' && rel(dir) !== ''; dir = path.dirname(dir)) {
          if (existsSync(path.join(dir, 'index.ts'))) indexes.push(path.join(dir, 'index.ts'));
          if (rel(dir) === folderOf(target)) break;
        }
        if (indexes.some((idx) => names.every((n) => exportsOf(idx).has(n))))
          needless.push(`${rel(file)} -> ${rel(target)}: ${names.join(', ')}`);
      }
    }
    expect(needless).toEqual([]);
  });
});
