import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cycles } from '../../tools/import-cycles.js';

/** The lint step that keeps src/ free of import cycles finds one, type-only imports included, and nothing where there is none. */
let folder = '';
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function tree(files: Record<string, string>): string[] {
  folder = mkdtempSync(join(tmpdir(), 'cycles-'));
  return Object.entries(files).map(([name, text]) => {
    const path = join(folder, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  });
}

describe('import cycles', () => {
  it('finds a cycle made by a type-only import across folders, over a multi-line import', () => {
    const files = tree({
      'a/jobs.ts': "import {\n  render,\n} from '../b/messages.js';\nexport const run = () => render();\n",
      'b/messages.ts': "import type { Result } from '../a/jobs.js';\nexport function render(): Result | undefined { return undefined; }\n",
    });
    const found = cycles(files);
    expect(found).toHaveLength(1);
    expect(found[0]?.map((file) => file.slice(folder.length + 1)).sort()).toEqual(['a/jobs.ts', 'b/messages.ts']);
  });

  it('finds none in a tree whose imports only go one way', () => {
    const files = tree({
      'model.ts': 'export type Result = { ok: boolean };\n',
      'jobs.ts': "import type { Result } from './model.js';\nexport const run = (): Result => ({ ok: true });\n",
      'messages.ts':
        "import type { Result } from './model.js';\nexport { run } from './jobs.js';\nexport const text = (result: Result) => String(result.ok);\n",
    });
    expect(cycles(files)).toEqual([]);
  });
});
