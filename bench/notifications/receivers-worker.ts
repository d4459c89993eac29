import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';

/*
 * The receiving end of the notifications suite, in a worker thread of its own (in a deployment they are other
 * machines): an SMTP server that accepts and drops every mail, and an HTTP webhook receiver that answers 204. Both
 * only count, in shared memory, so the main thread reads the counts without a message round trip.
 */

export interface ReceiversWorkerData {
  /** Int32 slot 0: mails accepted; slot 1: webhook requests answered. */
  counters: SharedArrayBuffer;
}

export type FromReceivers = { kind: 'ready'; smtpUrl: string; webhookUrl: string };

const counters = new Int32Array((workerData as ReceiversWorkerData).counters);

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  logger: false,
  // Many connections at once: each nodemailer send without a pool opens one.
  maxClients: 1000,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      Atomics.add(counters, 0, 1);
      callback();
    });
  },
});

const http = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    Atomics.add(counters, 1, 1);
    res.statusCode = 204;
    res.end();
  });
});
http.keepAliveTimeout = 30_000;

await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const smtpPort = (smtp.server.address() as AddressInfo).port;
const httpPort = (http.address() as AddressInfo).port;
parentPort!.postMessage({
  kind: 'ready',
  smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
  webhookUrl: `http://127.0.0.1:${httpPort}/hooks/bench`,
} satisfies FromReceivers);
