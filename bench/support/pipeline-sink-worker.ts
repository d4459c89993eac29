import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';
import { connectNats, subjectOf } from '@wandelwerk/messaging';
import { now } from './stats.js';

/*
 * The observing end of the pipeline suite, on a thread of its own so that the load generator's work on the main thread
 * does not delay the time stamps: a core NATS subscription to `notifications.notification.created.v1` (published by
 * the notifications service's outbox relay after the notifications' transaction committed: the moment they are stored
 * and a live client could hear of them) and to `funding.allocation.requested.v1` (the allocation the approval needs),
 * an SMTP server and a webhook receiver that take every mail and webhook and note when it arrived and for which
 * notification (Message-ID `<notification-id@…>`, header `webhook-id: msg_<notification-id>`); and the submitted
 * and approved events themselves, to split a stage into the producer's part and the notifications service's part. Times are on the
 * process-wide monotonic clock (`now()` of stats.ts), the same as the main thread's.
 */

export interface SinkWorkerData {
  natsUrl: string;
  prefix: string;
}

export interface SeenNotification {
  id: string;
  correlationId: string;
  sourceEventType: string;
  recipientKind: string;
  inApp: boolean;
  at: number;
}

/** A domain event seen on NATS (published by its service's outbox relay). */
export interface SeenEvent {
  type: string;
  correlationId: string;
  at: number;
}

export interface SeenDelivery {
  notificationId: string;
  channel: 'email' | 'webhook';
  at: number;
}

export type FromSink =
  | { kind: 'ready'; smtpUrl: string; webhookUrl: string }
  | { kind: 'allocation'; proposalId: string; allocationId: string; at: number }
  | { kind: 'batch'; notifications: SeenNotification[]; deliveries: SeenDelivery[]; events: SeenEvent[] }
  | { kind: 'closed' };

export type ToSink = { kind: 'flush' } | { kind: 'close' };

const port = parentPort;
if (!port) throw new Error('pipeline-sink-worker runs as a worker thread');
const { natsUrl, prefix } = workerData as SinkWorkerData;

let notifications: SeenNotification[] = [];
let deliveries: SeenDelivery[] = [];
let events: SeenEvent[] = [];
const flush = (): void => {
  if (notifications.length === 0 && deliveries.length === 0 && events.length === 0) return;
  port.postMessage({ kind: 'batch', notifications, deliveries, events } satisfies FromSink);
  notifications = [];
  deliveries = [];
  events = [];
};
const flusher = setInterval(flush, 25);

const nc = await connectNats({ url: natsUrl, name: 'bench-pipeline-sink' });
nc.subscribe(subjectOf(prefix, 'notifications.notification.created.v1'), {
  callback: (error, msg) => {
    if (error) return;
    const at = now();
    const event = msg.json<{
      subject: string;
      correlationid: string;
      data: { sourceEventType: string; recipientKind: string; channels: string[] };
    }>();
    notifications.push({
      id: event.subject,
      correlationId: event.correlationid,
      sourceEventType: event.data.sourceEventType,
      recipientKind: event.data.recipientKind,
      inApp: event.data.channels.includes('in-app'),
      at,
    });
  },
});
nc.subscribe(subjectOf(prefix, 'funding.allocation.requested.v1'), {
  callback: (error, msg) => {
    if (error) return;
    const at = now();
    const event = msg.json<{ subject: string; data: { proposal: { proposalId: string } } }>();
    port.postMessage({
      kind: 'allocation',
      proposalId: event.data.proposal.proposalId,
      allocationId: event.subject,
      at,
    } satisfies FromSink);
  },
});
// The events whose notifications are measured: when they left their service (the split of a stage's time).
for (const type of ['projects.proposal.submitted.v1', 'funding.allocation.approved.v1'])
  nc.subscribe(subjectOf(prefix, type), {
    callback: (error, msg) => {
      if (error) return;
      const at = now();
      events.push({ type, correlationId: msg.json<{ correlationid: string }>().correlationid, at });
    },
  });
// The subscriptions are registered with the server before anything is published.
await nc.flush();

const MESSAGE_ID = /^message-id:\s*<([0-9a-f-]{36})@/im;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  maxClients: 1000,
  onData(stream, _session, callback) {
    let head = '';
    stream.on('data', (chunk: Buffer) => {
      if (head.length < 16_384) head += chunk.toString('utf8');
    });
    stream.on('end', () => {
      const id = MESSAGE_ID.exec(head)?.[1];
      if (id) deliveries.push({ notificationId: id, channel: 'email', at: now() });
      callback();
    });
  },
});

const http = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    const header = req.headers['webhook-id'];
    const id = typeof header === 'string' && header.startsWith('msg_') ? header.slice(4) : undefined;
    if (id) deliveries.push({ notificationId: id, channel: 'webhook', at: now() });
    res.statusCode = 204;
    res.end();
  });
});
http.keepAliveTimeout = 30_000;

await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

port.on('message', (message: ToSink) => {
  if (message.kind === 'flush') {
    flush();
    return;
  }
  clearInterval(flusher);
  flush();
  void (async () => {
    await nc.drain().catch(() => undefined);
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
    port.postMessage({ kind: 'closed' } satisfies FromSink);
  })();
});

port.postMessage({
  kind: 'ready',
  smtpUrl: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
  webhookUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hooks/bench`,
} satisfies FromSink);
