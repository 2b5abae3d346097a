import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { ExportColumn } from '../results/export-columns.js';

export type ExportFormat = 'csv' | 'ndjson';

const CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * A streamed export response. Rows are pulled from the generator only as fast as the client reads (Readable.from
 * and the pipe respect backpressure), so the daemon holds one keyset batch, not the export.
 *
 * CSV goes through csv-stringify: quoting, a UTF-8 byte-order mark so Excel reads the file as UTF-8, and
 * `escape_formulas`, which prefixes `'` to a text cell starting with = + - @ tab or CR so a spreadsheet shows a
 * bio like "=HYPERLINK(…)" as text instead of running it (OWASP "CSV injection"); it leaves a negative number alone.
 */
export function exportResponse<Row>(
  rows: AsyncIterable<Row>,
  columns: ExportColumn<Row>[],
  format: ExportFormat,
  filename: string,
): Response {
  const records = Readable.from(mapRows(rows, columns), { objectMode: true });
  const body =
    format === 'csv'
      ? records.pipe(
          stringify({
            bom: true,
            header: true,
            columns: columns.map((c) => c.name),
            escape_formulas: true,
            cast: { boolean: (v) => (v ? 'true' : 'false') },
          }),
        )
      : records.map((record: Record<string, unknown>) => Buffer.from(`${JSON.stringify(record)}\n`));
  // A failed query mid-stream cannot become a 4xx any more (the 200 is sent); ending the body early tells the
  // client the file is incomplete instead of handing it a truncated file that looks whole.
  records.on('error', (error) => body.destroy(error));
  return new Response(Readable.toWeb(body) as ReadableStream, {
    status: 200,
    headers: {
      'content-type': CONTENT_TYPE[format],
      'content-disposition': `attachment; filename="${filename}.${format === 'csv' ? 'csv' : 'ndjson'}"`,
      'cache-control': 'no-store',
    },
  });
}

async function* mapRows<Row>(rows: AsyncIterable<Row>, columns: ExportColumn<Row>[]): AsyncGenerator<Record<string, unknown>> {
  for await (const row of rows) {
    const record: Record<string, unknown> = {};
    for (const column of columns) record[column.name] = column.value(row);
    yield record;
  }
}
