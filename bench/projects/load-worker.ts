import { randomUUID } from 'node:crypto';
import { request, Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { now, sleep } from '../support/stats.js';
import type { FromLoad, LoadJob, LoadResult, ToLoad } from './shared.js';

/*
 * The load generator of the projects suite, on a thread of its own so that the client's work does not share an event
 * loop with the servers it measures. Closed loop: each of `concurrency` connections sends its next request when the
 * previous answer arrived. Plain node:http with keep-alive (the same client for the baseline and the platform).
 */

const port = parentPort;
if (!port) throw new Error('load-worker runs as a worker thread');

interface Answer {
  status: number;
  body: string;
}

function send(
  agent: Agent,
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers:
          body === undefined
            ? headers
            : { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function check(answer: Answer, expected: number, what: string): void {
  if (answer.status !== expected)
    throw new Error(`${what}: expected ${expected}, got ${answer.status}: ${answer.body.slice(0, 400)}`);
}

async function run(job: LoadJob): Promise<LoadResult> {
  const base = new URL(job.base);
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latencies: Record<string, number[]> = {};
  let measuring = false;
  let stop = false;
  let iterations = 0;
  let requests = 0;
  let failure: Error | undefined;
  let counter = 0;
  const record = (step: string, ms: number): void => {
    if (!measuring) return;
    (latencies[step] ??= []).push(ms);
  };
  const scenario = job.scenario;
  const iteration = async (): Promise<number> => {
    const i = counter++;
    if (scenario.kind === 'get') {
      const path = scenario.paths[i % scenario.paths.length];
      const start = now();
      const answer = await send(agent, base, 'GET', path, {});
      record('get', now() - start);
      check(answer, 200, `GET ${path}`);
      return 1;
    }
    const body = scenario.bodies[i % scenario.bodies.length];
    const start = now();
    const created = await send(
      agent,
      base,
      'POST',
      '/api/v1/projects',
      { ...scenario.headers, 'idempotency-key': randomUUID() },
      body,
    );
    const createdAt = now();
    record('create', createdAt - start);
    check(created, 201, 'POST /api/v1/projects');
    const id = (JSON.parse(created.body) as { id: string }).id;
    const submitted = await send(
      agent,
      base,
      'POST',
      `/api/v1/projects/${id}/submit`,
      scenario.headers,
      '{}',
    );
    const end = now();
    record('submit', end - createdAt);
    record('iteration', end - start);
    check(submitted, 200, `POST /api/v1/projects/${id}/submit`);
    return 2;
  };
  const loops = Array.from({ length: job.concurrency }, async () => {
    while (!stop) {
      try {
        const sent = await iteration();
        if (measuring) {
          iterations++;
          requests += sent;
          if (iterations >= job.maxIterations) stop = true;
        }
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
        stop = true;
      }
    }
  });
  await sleep(job.warmupMs);
  const elu = performance.eventLoopUtilization();
  const startedAt = now();
  measuring = true;
  const deadline = startedAt + job.measureMs;
  while (!stop && now() < deadline) await sleep(Math.min(20, deadline - now()));
  measuring = false;
  const endedAt = now();
  const utilisation = performance.eventLoopUtilization(elu).utilization;
  stop = true;
  await Promise.all(loops);
  agent.destroy();
  if (failure) throw failure;
  return {
    latencies,
    iterations,
    requests,
    seconds: (endedAt - startedAt) / 1000,
    loadThreadUtilisation: utilisation,
  };
}

const post = (message: FromLoad): void => port.postMessage(message);

port.on('message', (message: ToLoad) => {
  if (message.kind === 'close') {
    port.close();
    return;
  }
  run(message.job).then(
    (result) => post({ kind: 'done', result }),
    (error: unknown) =>
      post({ kind: 'failed', error: error instanceof Error ? error.message : String(error) }),
  );
});
post({ kind: 'ready' });
