import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import Cursor from 'pg-cursor';
import type { CustomTypesConfig, PoolClient } from 'pg';
import { UTF8_BOM, csvHeader } from './csv-writer.js';
import type { RawRow, ReportFilter, ReportLayout } from './report-layouts.js';

export interface WrittenReport {
  rows: number;
  bytes: number;
  sha256: string;
}

export interface ReportProgress {
  rows: number;
  /** Rows the report will have; null when the layout does not count them beforehand. */
  total: number | null;
}

export interface WriteOptions {
  /** Rows fetched from PostgreSQL per round trip. */
  batchRows?: number;
  /** At most one progress call per this many milliseconds (and one at the end). */
  progressEveryMs?: number;
}

const WORK_MEM = '128MB';

/** A result read in one go, served like a cursor. */
interface RowSource {
  read(rows: number): Promise<RawRow[]>;
  close(): Promise<void>;
}
function wholeResult(result: { rows: RawRow[] }): RowSource {
  let rows: RawRow[] | null = result.rows;
  return {
    read: (n) => {
      const all = rows ?? [];
      rows = all.length > n ? all.slice(n) : null;
      return Promise.resolve(all.slice(0, n));
    },
    close: () => Promise.resolve(),
  };
}

/** Every column as PostgreSQL's text: no Date, number or JSON parsing of a million rows the CSV only copies. */
const AS_TEXT = { getTypeParser: () => (value: string) => value } as unknown as CustomTypesConfig;

/**
 * Streams a report from PostgreSQL into `path`: a cursor reads `batchRows` rows at a time (the next batch is
 * already asked for while one is being encoded), each batch becomes one chunk of CSV, and the next is read only when
 * the file has taken the last one (pipeline backpressure), so memory holds a batch or two whatever the report's size.
 * The file is written as `<path>.part` and renamed when complete: a file at `path` is always whole. The rows come
 * from one REPEATABLE READ snapshot, so the count for the progress and the rows agree.
 */
export async function writeReport(
  client: PoolClient,
  layout: ReportLayout,
  filter: ReportFilter,
  path: string,
  onProgress: (progress: ReportProgress) => Promise<void>,
  options: WriteOptions = {},
): Promise<WrittenReport> {
  const batchRows = options.batchRows ?? 4000;
  const progressEveryMs = options.progressEveryMs ?? 500;
  const params = [filter.programmeCode, filter.fromYear, filter.toYear];
  const partPath = `${path}.part`;
  const hash = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  // Sorts and hashes of a report in memory rather than in temporary files; for this transaction only.
  await client.query(`SET LOCAL work_mem = '${WORK_MEM}'`);
  let cursor: RowSource | undefined;
  try {
    const total = layout.countSql
      ? Number((await client.query<{ count: string }>(layout.countSql, params)).rows[0]?.count ?? 0)
      : null;
    const active = layout.aggregate
      ? wholeResult(
          await client.query<RawRow>({ text: layout.sql, values: params, rowMode: 'array', types: AS_TEXT }),
        )
      : client.query(new Cursor<RawRow>(layout.sql, params, { rowMode: 'array', types: AS_TEXT }));
    cursor = active;
    let reported = Date.now();
    const chunk = (text: string): Buffer => {
      const buffer = Buffer.from(text, 'utf8');
      hash.update(buffer);
      bytes += buffer.length;
      return buffer;
    };
    async function* csv(): AsyncGenerator<Buffer> {
      yield chunk(UTF8_BOM + csvHeader(layout.header));
      let next = active.read(batchRows);
      for (;;) {
        const batch = await next;
        if (batch.length === 0) break;
        // Ask for the next batch now: PostgreSQL produces it while this one is encoded and written.
        if (batch.length === batchRows) next = active.read(batchRows);
        else next = Promise.resolve([]);
        let text = '';
        for (const row of batch) text += layout.line(row);
        rows += batch.length;
        yield chunk(text);
        if (Date.now() - reported >= progressEveryMs) {
          reported = Date.now();
          await onProgress({ rows, total });
        }
      }
    }
    await pipeline(csv, createWriteStream(partPath, { flags: 'w' }));
    await active.close();
    cursor = undefined;
    await client.query('COMMIT');
    await rename(partPath, path);
    await onProgress({ rows, total: rows });
    return { rows, bytes, sha256: hash.digest('hex') };
  } catch (error) {
    await cursor?.close().catch(() => undefined);
    await client.query('ROLLBACK').catch(() => undefined);
    await rm(partPath, { force: true });
    throw error;
  }
}
