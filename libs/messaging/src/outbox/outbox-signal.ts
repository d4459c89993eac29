import type { DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { outboxChannel } from './messaging-tables.js';

const WRITTEN = 'wandelwerkOutboxWritten';

/**
 * Tells the relay that outbox rows were committed — after the commit, not inside the transaction. A NOTIFY inside
 * the writing transaction takes PostgreSQL's global notify lock through the commit's WAL flush and serialises all
 * writers; here one NOTIFY at a time is sent after commit, and signals that arrive meanwhile fold into the next one.
 * A relay in the same process is woken directly; when it is the schema's active relay, no other process needs to
 * hear of the commit (the other relays stand by and read every unsent row when they take over), so no NOTIFY is sent.
 */
export class OutboxSignal {
  private inFlight = false;
  private pending = false;
  private readonly localListeners = new Set<() => boolean | void>();
  private notifications = 0;
  private readonly sql: string;

  private constructor(
    private readonly dataSource: DataSource,
    schema: string,
  ) {
    this.sql = `SELECT pg_notify('${outboxChannel(schema)}', '')`;
  }

  /** Hooks into the data source's commits. */
  static attach(dataSource: DataSource, schema: string): OutboxSignal {
    const signal = new OutboxSignal(dataSource, schema);
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit: ({ queryRunner }) => {
        // Fires for savepoints too; only the outermost commit makes the rows visible.
        if (queryRunner.isTransactionActive || !queryRunner.data[WRITTEN]) return;
        queryRunner.data[WRITTEN] = false;
        signal.fire();
      },
      afterTransactionRollback: ({ queryRunner }) => {
        if (!queryRunner.isTransactionActive) queryRunner.data[WRITTEN] = false;
      },
    };
    dataSource.subscribers.push(subscriber);
    return signal;
  }

  /**
   * Notes that `executor` wrote outbox rows. True when it is a TypeORM transaction this signal will see commit;
   * false means the caller must notify inside its transaction itself.
   */
  markWritten(executor: unknown): boolean {
    const queryRunner = (executor as { queryRunner?: QueryRunner }).queryRunner;
    if (!queryRunner?.isTransactionActive || queryRunner.connection !== this.dataSource) return false;
    queryRunner.data[WRITTEN] = true;
    return true;
  }

  /**
   * `listener` runs on every signal. It returns true when it is the schema's active relay and has been woken: then
   * the signal goes no further than this process.
   */
  onLocalSignal(listener: () => boolean | void): () => void {
    this.localListeners.add(listener);
    return () => this.localListeners.delete(listener);
  }

  /** NOTIFYs sent so far (tests, benchmarks). */
  get notificationsSent(): number {
    return this.notifications;
  }

  fire(): void {
    let handledHere = false;
    for (const listener of this.localListeners) if (listener() === true) handledHere = true;
    if (handledHere) return;
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    this.inFlight = true;
    this.notifications++;
    this.dataSource
      .query(this.sql)
      .catch(() => undefined) // the relay's fallback poll still finds the rows
      .finally(() => {
        this.inFlight = false;
        if (this.pending && this.dataSource.isInitialized) {
          this.pending = false;
          this.fire();
        }
      });
  }
}
