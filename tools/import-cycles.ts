/**
 * `npm run lint`: no import cycles among the TypeScript modules under a folder (src/ by default),
 * type-only imports included. Reads each file's `import … from` and `export … from` specifiers,
 * follows the relative ones, and prints the cycles it finds (at least one per tangle); exits 1 when there is one.
 * (Why not madge or dependency-cruiser: docs/decisions.md, "One shape for every feature".)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const specifier = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

function modules(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return modules(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** The modules a file imports, as paths: `./x.js` is `./x.ts` in the source. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(specifier)].map((match) => resolve(dirname(file), (match[1] ?? '').replace(/\.js$/, '.ts')));
}

/** Cycles found by a depth-first walk that keeps the path it is on: none means there are none. */
export function cycles(files: string[]): string[][] {
  const graph = new Map(files.map((file) => [resolve(file), importsOf(file)]));
  const found = new Map<string, string[]>();
  const done = new Set<string>();
  const walk = (file: string, path: string[]): void => {
    const at = path.indexOf(file);
    if (at >= 0) {
      const cycle = path.slice(at);
      const key = [...cycle].sort().join('|');
      if (!found.has(key)) found.set(key, cycle);
      return;
    }
    if (done.has(file)) return;
    for (const next of graph.get(file) ?? []) if (graph.has(next)) walk(next, [...path, file]);
    done.add(file);
  };
  for (const file of graph.keys()) walk(file, []);
  return [...found.values()];
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const folder = process.argv[2] ?? 'src';
  const found = cycles(modules(folder));
  for (const cycle of found) console.error(`import cycle: ${[...cycle, cycle[0]].map((file) => relative(folder, file ?? '')).join(' → ')}`);
  if (found.length > 0) process.exit(1);
  console.log(`no import cycles in ${folder}/`);
}
