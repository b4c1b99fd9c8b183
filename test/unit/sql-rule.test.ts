// "Only repositories issue SQL" (issue 16), as far as it holds today: eslint.config.js forbids a
// `.query(` call in the folders below (`npm test` runs `eslint .` over the real tree). Here a
// planted statement is linted with the project's config as if it lived in each of those folders,
// and must be reported there and not in src/repositories, src/db or src/filetypes (a file type's
// apply statements live in its folder by design). Type information is switched off for
// the planted text (it is no file of the TypeScript project): the rule needs none.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const SQL_FREE = [
  'src/calendar', 'src/xlsx', 'src/validate', 'src/sftp', 'src/notify', 'src/import', 'src/runs', 'src/health', 'src/web', 'src/demo', 'src/cli', 'jobs',
  'src/generate', 'src/reports', 'src/ingest',
];

const PLANTED = [
  "import type pg from 'pg';",
  'export async function count(db: pg.Pool, c: pg.PoolClient): Promise<number> {',
  "  await c.query<{ n: number }>('savepoint x');",
  "  return (await db.query<{ n: number }>('select count(*)::int n from members')).rows[0]!.n;",
  '}',
  '',
].join('\n');

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [{ languageOptions: { parserOptions: { projectService: false } }, rules: { '@typescript-eslint/no-floating-promises': 'off' } }],
});

/** The lines where the planted text breaks the SQL rule, linted as the file `rel`. */
async function sqlFindings(rel: string): Promise<{ line: number; message: string }[]> {
  const [result] = await eslint.lintText(PLANTED, { filePath: path.join(ROOT, rel) });
  expect(result!.messages.filter((m) => m.fatal), rel).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => ({ line: m.line, message: m.message }));
}

describe('SQL only in repositories (ESLint no-restricted-syntax)', () => {
  it('reports every .query( call in each SQL-free folder, nested folders too, with where SQL belongs', async () => {
    for (const dir of SQL_FREE) {
      const found = await sqlFindings(`${dir}/sub/planted.ts`);
      expect(found.map((f) => f.line), dir).toEqual([3, 4]);
      expect(found[0]!.message).toMatch(/SQL lives in src\/repositories .* src\/db for transactions/);
    }
  });

  it('leaves the repositories, src/db and the file types\' apply statements alone', async () => {
    expect(await sqlFindings('src/repositories/planted.ts')).toEqual([]);
    expect(await sqlFindings('src/db/planted.ts')).toEqual([]);
    expect(await sqlFindings('src/filetypes/rtf/apply.ts')).toEqual([]);
  });
});
