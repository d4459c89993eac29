import pg from 'pg';

/*
 * A sampling profiler for PostgreSQL without pg_stat_statements (which needs a server restart): every `intervalMs` it
 * reads pg_stat_activity for the run's database and counts what each busy backend is doing — the statement, and
 * whether it runs ('active') or holds a transaction open between statements ('idle in transaction', i.e. waiting for
 * the client). The counts are proportional to the time spent.
 */

export interface ActivityEntry {
  application: string;
  state: string;
  wait: string;
  query: string;
  samples: number;
}

export class PgActivitySampler {
  private readonly counts = new Map<string, ActivityEntry>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  samples = 0;

  private constructor(private readonly client: pg.Client) {}

  static async start(databaseUrl: string, intervalMs = 20): Promise<PgActivitySampler> {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-pg-activity' });
    await client.connect();
    const sampler = new PgActivitySampler(client);
    sampler.timer = setInterval(() => void sampler.sample(), intervalMs);
    return sampler;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { rows } = await this.client.query<{
        application_name: string;
        state: string;
        wait: string | null;
        query: string;
      }>(
        `SELECT application_name, state, wait_event_type || ':' || wait_event AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
         FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
           AND application_name NOT LIKE 'bench-%'`,
      );
      this.samples++;
      for (const row of rows) {
        const wait = row.wait ?? '';
        const key = `${row.state}|${wait}|${row.query}`;
        const entry = this.counts.get(key);
        if (entry) entry.samples++;
        else
          this.counts.set(key, {
            application: row.application_name,
            state: row.state,
            wait,
            query: row.query,
            samples: 1,
          });
      }
    } catch {
      // A sample lost is a sample lost.
    } finally {
      this.busy = false;
    }
  }

  /** The entries seen most often, with the mean number of backends busy on them per sample. */
  top(n: number): (ActivityEntry & { meanBackends: number })[] {
    return [...this.counts.values()]
      .sort((a, b) => b.samples - a.samples)
      .slice(0, n)
      .map((e) => ({ ...e, meanBackends: e.samples / Math.max(1, this.samples) }));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.client.end().catch(() => undefined);
  }
}

/** Tables of the run's database read by sequential scans, most rows read first. */
export async function sequentialScans(
  query: <T extends pg.QueryResultRow>(sql: string) => Promise<T[]>,
): Promise<{ table: string; seqScans: number; rowsRead: number; indexScans: number; deadRows: number }[]> {
  const rows = await query<{ t: string; s: string; r: string; i: string; d: string }>(
    `SELECT schemaname || '.' || relname AS t, seq_scan::text AS s, seq_tup_read::text AS r,
            coalesce(idx_scan, 0)::text AS i, n_dead_tup::text AS d
     FROM pg_stat_user_tables ORDER BY seq_tup_read DESC LIMIT 12`,
  );
  return rows.map((r) => ({
    table: r.t,
    seqScans: Number(r.s),
    rowsRead: Number(r.r),
    indexScans: Number(r.i),
    deadRows: Number(r.d),
  }));
}
