// Case A2 (information): our own streaming reader (src/xlsx/reader.ts) over the same file,
// header recognised, every data row yielded as plain cell values, no validation.
import fs from 'node:fs';
import { INBOUND_LAYOUTS, matchHeader } from '../../schemas/index.js';
import { readWorkbook } from '../../src/xlsx/reader.js';
import { caseArgs, runCase, timed } from '../lib/child.js';

runCase(async () => {
  const { file } = caseArgs<{ file: string }>();
  const { value: rows, seconds, cpuSeconds } = await timed(async () => {
    const bytes = await fs.promises.readFile(file);
    let n = 0;
    for await (const ev of readWorkbook(bytes, { recognise: (cells) => matchHeader(cells, INBOUND_LAYOUTS), maxRows: 1_000_000, maxColumns: 200 }))
      if (ev.type === 'row') n++;
    return n;
  });
  return { rows, seconds, cpuSeconds };
});
