// Lint is part of `npm test`: type-aware rules catch floating promises, which in a
// file-transfer service mean a silently dropped error.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folders that issue no SQL of their own (the rule below; test/unit/sql-rule.test.ts plants a violation in each). */
const SQL_FREE = [
  'src/calendar', 'src/xlsx', 'src/validate', 'src/sftp', 'src/notify', 'src/import', 'src/runs', 'src/health', 'src/web', 'src/demo', 'src/cli', 'jobs',
  'src/generate', 'src/reports', 'src/ingest',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'dist/**', '.bench-build/**', 'bench/results.json', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Only repositories issue SQL (issue 16): these folders reach the database through
    // src/repositories (one module per aggregate) or src/db (transactions, savepoints, migrations).
    // Not listed: src/repositories and src/db themselves, and src/filetypes, whose apply
    // statements live in each file type's folder by design (a file type is a folder).
    files: SQL_FREE.map((dir) => `${dir}/**/*.ts`),
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query']",
          message: 'SQL lives in src/repositories (one module per aggregate), or in src/db for transactions, savepoints and migrations: call a function there instead of .query().',
        },
      ],
    },
  },
);
