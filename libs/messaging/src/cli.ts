#!/usr/bin/env node
/**
 * Operator commands of the messaging backbone:
 *   provision              create or update every stream, durable consumer and the dead-letter stream
 *   dlq list [--json]      show what is in the dead-letter stream
 *   dlq replay <seq>|--all publish dead-lettered events again on their original subject
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsSettings, readConfigOrExit } from '@wandelwerk/config';
import { connectNats } from './nats/nats-connection.js';
import { buildTopology } from './topology/topology.js';
import { provisionTopology } from './topology/provision.js';
import { DeadLetterAdmin } from './dead-letter/dead-letter-admin.js';

const USAGE = 'usage: cli.js provision | dlq list [--json] | dlq replay <seq>|--all';

async function main(args: string[]): Promise<number> {
  const config = readConfigOrExit(NatsSettings, 'messaging-cli');
  const nc = await connectNats({
    url: config.NATS_URL,
    name: 'wandelwerk-messaging-cli',
    firstConnectTimeoutMs: 5_000,
  });
  try {
    const [command, sub, arg] = args;
    if (command === 'provision') {
      const report = await provisionTopology(
        await jetstreamManager(nc),
        buildTopology({ prefix: config.NATS_PREFIX }),
      );
      console.log(
        `streams: ${report.streamsCreated.length} created, ${report.streamsUpdated.length} up to date; ` +
          `consumers: ${report.consumersCreated.length} created, ${report.consumersUpdated.length} up to date`,
      );
      return 0;
    }
    if (command === 'dlq') {
      const admin = new DeadLetterAdmin(nc, config.NATS_PREFIX);
      if (sub === 'list') {
        const entries = await admin.list();
        if (arg === '--json') console.log(JSON.stringify(entries, null, 2));
        else if (entries.length === 0) console.log('dead-letter stream is empty');
        else
          for (const e of entries)
            console.log(
              `#${e.seq}  ${e.failedAt}  ${e.consumer} ← ${e.originalType}  event ${e.eventId ?? '?'}  after ${e.attempts} attempt(s): ${e.error}`,
            );
        return 0;
      }
      if (sub === 'replay' && arg === '--all') {
        const replayed = await admin.replayAll();
        console.log(`replayed ${replayed.length} event(s)`);
        return 0;
      }
      if (sub === 'replay' && arg && /^\d+$/.test(arg)) {
        const entry = await admin.replay(Number(arg));
        console.log(
          `replayed #${entry.seq} (${entry.originalType}, event ${entry.eventId ?? '?'}) to ${entry.originalSubject}`,
        );
        return 0;
      }
    }
    console.error(USAGE);
    return 2;
  } finally {
    await nc.drain();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
