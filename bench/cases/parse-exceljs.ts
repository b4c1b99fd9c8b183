// Case A: the bare parse floor. exceljs's streaming reader over the file, every row visited,
// no other work.
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { caseArgs, runCase, timed } from '../lib/child.js';

runCase(async () => {
  const { file } = caseArgs<{ file: string }>();
  const { value: rows, seconds, cpuSeconds } = await timed(async () => {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(fs.createReadStream(file), {
      sharedStrings: 'cache', worksheets: 'emit', hyperlinks: 'ignore', styles: 'ignore', entries: 'emit',
    });
    let n = 0;
    for await (const ws of reader) for await (const _row of ws as AsyncIterable<ExcelJS.Row>) n++;
    return n - 1; // the header row
  });
  return { rows, seconds, cpuSeconds };
});
