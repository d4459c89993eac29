import {
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { deadLetterStreamName } from '../topology/topology.js';
import { DEAD_LETTER_HEADERS } from '../transport/jetstream.transport.js';

export interface DeadLetterEntry {
  seq: number;
  consumer: string;
  originalSubject: string;
  originalType: string;
  error: string;
  attempts: number;
  failedAt: string;
  eventId: string | undefined;
  body: string;
}

/** What an operator does with the dead-letter stream: look at it, and replay entries once the cause is fixed. */
export class DeadLetterAdmin {
  private readonly stream: string;

  constructor(
    private readonly nc: NatsConnection,
    prefix: string,
  ) {
    this.stream = deadLetterStreamName(prefix);
  }

  async list(limit = 1_000): Promise<DeadLetterEntry[]> {
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.streams.info(this.stream);
    const entries: DeadLetterEntry[] = [];
    if (info.state.messages === 0) return entries;
    for (
      let seq = Math.max(1, info.state.first_seq);
      seq <= info.state.last_seq && entries.length < limit;
      seq++
    ) {
      const entry = await this.get(jsm, seq);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  /**
   * Publishes the original event again on its original subject, under a new message id so that JetStream's
   * de-duplication lets it through; consumers that had already handled it skip it by their inbox.
   */
  async replay(seq: number): Promise<DeadLetterEntry> {
    const jsm = await jetstreamManager(this.nc);
    const entry = await this.get(jsm, seq);
    if (!entry) throw new Error(`no dead-letter entry with sequence ${seq}`);
    await jetstream(this.nc).publish(entry.originalSubject, entry.body, {
      msgID: `replay-${seq}-${randomUUID()}`,
    });
    await jsm.streams.deleteMessage(this.stream, seq);
    return entry;
  }

  async replayAll(): Promise<DeadLetterEntry[]> {
    const replayed: DeadLetterEntry[] = [];
    for (const entry of await this.list(Number.MAX_SAFE_INTEGER)) replayed.push(await this.replay(entry.seq));
    return replayed;
  }

  private async get(jsm: JetStreamManager, seq: number): Promise<DeadLetterEntry | undefined> {
    try {
      const stored = await jsm.streams.getMessage(this.stream, { seq });
      if (!stored) return undefined;
      const h = stored.header;
      const body = stored.string();
      let eventId: string | undefined;
      try {
        const parsed = JSON.parse(body) as { id?: unknown };
        eventId = typeof parsed.id === 'string' ? parsed.id : undefined;
      } catch {
        eventId = undefined;
      }
      return {
        seq: stored.seq,
        consumer: h.get(DEAD_LETTER_HEADERS.consumer),
        originalSubject: h.get(DEAD_LETTER_HEADERS.originalSubject),
        originalType: h.get(DEAD_LETTER_HEADERS.originalType),
        error: h.get(DEAD_LETTER_HEADERS.error),
        attempts: Number(h.get(DEAD_LETTER_HEADERS.attempts)),
        failedAt: h.get(DEAD_LETTER_HEADERS.failedAt),
        eventId,
        body,
      };
    } catch (error) {
      // Deleted entries leave gaps in the sequence.
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound)
        return undefined;
      throw error;
    }
  }
}
