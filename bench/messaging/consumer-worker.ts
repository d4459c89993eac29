import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { Controller, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { validateEventData, type CloudEvent, type ProposalEndorsedEvent } from '@wandelwerk/contracts';
import { JsonLogger } from '@wandelwerk/observability';
import {
  buildTopology,
  connectNats,
  EventContext,
  JetStreamTransport,
  RethrowErrorsFilter,
} from '@wandelwerk/messaging';
import { now } from '../support/stats.js';
import {
  CONSUMER,
  EVENT_TYPE,
  type ConsumerWorkerData,
  type FromConsumer,
  type ToConsumer,
  type TransactionSummary,
} from './shared.js';

/*
 * The consuming "funding" service of the messaging suite, in a worker thread of the bench process: in a deployment it
 * is a process of its own, so it gets an event loop of its own here, and its clock is the process's clock.
 */

const data = workerData as ConsumerWorkerData;
const port = parentPort!;
const send = (message: FromConsumer): void => port.postMessage(message);
const handledCounter = new Int32Array(data.handledCounter);

/** Handler start times, flushed to the main thread in batches. */
class HandledLog {
  private ids: string[] = [];
  private times: number[] = [];
  private readonly timer = setInterval(() => this.flush(), 20);

  record(id: string): void {
    this.ids.push(id);
    this.times.push(now());
    Atomics.add(handledCounter, 0, 1);
  }

  flush(): void {
    if (this.ids.length === 0) return;
    send({ kind: 'handled', ids: this.ids, times: this.times });
    this.ids = [];
    this.times = [];
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

const LOG = Symbol('handled-log');

@Controller()
class ReservationHandlers {
  constructor(@Inject(LOG) private readonly log: HandledLog) {}

  @EventPattern<string>(EVENT_TYPE)
  async onEndorsed(
    @Payload() event: CloudEvent<ProposalEndorsedEvent>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    this.log.record(event.id);
    await ctx.manager.query(
      `INSERT INTO ${CONSUMER}.reservations (event_id, proposal_id, amount_cents) VALUES ($1, $2, $3)`,
      [event.id, event.subject, event.data.proposal.requestedFundingCents],
    );
  }
}

/**
 * Times every transaction the transport opens (pool wait included), through the DataSource it is given: from the query
 * runner's creation to its release (the transport runs each batch on a query runner of its own; DataSource.transaction
 * creates one too).
 */
class TransactionProbe {
  private readonly spans: { start: number; end: number }[] = [];
  private open = 0;
  private maxOpen = 0;

  attach(dataSource: DataSource): void {
    const create = dataSource.createQueryRunner.bind(dataSource);
    dataSource.createQueryRunner = (...args: Parameters<DataSource['createQueryRunner']>) => {
      const queryRunner = create(...args);
      const start = now();
      this.open++;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      const release = queryRunner.release.bind(queryRunner);
      queryRunner.release = async () => {
        try {
          return await release();
        } finally {
          this.open--;
          this.spans.push({ start, end: now() });
        }
      };
      return queryRunner;
    };
  }

  summary(from: number, to: number): TransactionSummary {
    const inWindow = this.spans.filter((s) => s.end >= from && s.end < to);
    const busyMs = inWindow.reduce((sum, s) => sum + (s.end - s.start), 0);
    return {
      transactions: inWindow.length,
      busyMs,
      meanMs: inWindow.length ? busyMs / inWindow.length : Number.NaN,
      maxOpen: this.maxOpen,
    };
  }
}

async function main(): Promise<void> {
  const logger = new JsonLogger('bench-funding', 'fatal');
  const log = new HandledLog();
  const dataSource = new DataSource({
    type: 'postgres',
    url: data.databaseUrl,
    poolSize: data.poolSize,
    applicationName: 'bench-funding',
    logging: false,
  });
  await dataSource.initialize();
  const probe = new TransactionProbe();
  probe.attach(dataSource);
  const nc = await connectNats({ url: data.natsUrl, name: `bench-${CONSUMER}` });

  @Module({ controllers: [ReservationHandlers], providers: [{ provide: LOG, useValue: log }] })
  class FundingBenchModule {}
  const transport = new JetStreamTransport({
    service: CONSUMER,
    nc,
    dataSource,
    schema: CONSUMER,
    prefix: data.prefix,
    logger,
    topology: buildTopology({ prefix: data.prefix }),
    concurrency: data.concurrency,
    validatePayload: validateEventData,
  });
  const app = await NestFactory.createMicroservice(FundingBenchModule, {
    strategy: transport,
    logger: false,
  });
  app.useGlobalFilters(new RethrowErrorsFilter());
  await app.listen();

  port.on('message', (message: ToConsumer) => {
    if (message.kind === 'summary') {
      send({ kind: 'summary', summary: probe.summary(message.from, message.to) });
      return;
    }
    void (async () => {
      await app.close();
      log.stop();
      await dataSource.destroy();
      await nc.drain().catch(() => undefined);
      send({ kind: 'closed' });
      port.close();
    })();
  });
  send({ kind: 'ready' });
}

main().catch((error: unknown) =>
  send({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
