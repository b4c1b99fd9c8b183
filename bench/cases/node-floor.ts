// Case B1, B's Node floor: the Node work of B's ingest with no database and no sFTP: the file
// read from disk, every row through the row and cross-row rules (the product's offline
// validation, src/validate/file.ts), and each validated row made into its COPY line in the
// staging buffer, as B's sheet writer does. Missing beside B: the download, the rules that need
// the provider's database context, everything Postgres does and the response. Whatever
// Postgres did, B could not be faster than this plus its download on the machine.
import fs from 'node:fs';
import { loadConfig } from '../../src/config.js';
import { INBOUND_TYPES } from '../../src/filetypes/registry.js';
import { stagedKeys } from '../../src/repositories/staged-columns.js';
import { applyHeapGrowth } from '../../src/heap.js';
import { STAGE_BATCH, stagingLine } from '../../src/ingest/sheet-writer.js';
import { StagingBuffer } from '../../src/ingest/staging-buffer.js';
import { validateFile } from '../../src/validate/file.js';
import { caseArgs, runCase, timed } from '../lib/child.js';

interface Args { file: string; receivedDate: string; period: string }

runCase(async () => {
  const a = caseArgs<Args>();
  const config = loadConfig({ LOG_LEVEL: 'warn' });
  applyHeapGrowth(config); // as the CLI does at start
  const keys = new Map(INBOUND_TYPES.types.map((t) => [t.layout, stagedKeys(t.layout)]));
  const staged = new StagingBuffer();
  let batches = 0;
  const { value: result, seconds, cpuSeconds } = await timed(async () => {
    const bytes = await fs.promises.readFile(a.file);
    return validateFile(bytes, a.file, {
      types: INBOUND_TYPES.types,
      limits: config,
      context: { config, receivedDate: a.receivedDate, expectedPeriod: a.period },
      onRow: (row) => {
        staged.add(stagingLine(1, keys.get(row.layout)!, row));
        if (staged.rows >= STAGE_BATCH && staged.take()) batches++;
      },
    });
  });
  return { rows: result.rowsRead, seconds, cpuSeconds, extra: { outcome: result.outcome, rowsAccepted: result.rowsAccepted, rowsRejected: result.rowsRejected, batches } };
});
