import { Agent, request } from 'node:http';

/*
 * The HTTP client of the pipeline suite: plain node:http with keep-alive, JSON in and out. The same client drives the
 * platform and the Fastify hello world, so the two request rates compare like for like.
 */

export interface JsonAnswer {
  status: number;
  body: Record<string, unknown> | null;
  text: string;
}

export class JsonClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(baseUrl: string, maxSockets: number) {
    this.base = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonAnswer> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const allHeaders: Record<string, string | number> = { ...headers };
    if (payload !== undefined) {
      allHeaders['content-type'] ??= 'application/json';
      allHeaders['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          headers: allHeaders,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Record<string, unknown> | null = null;
            if (text && (res.headers['content-type'] ?? '').includes('json')) {
              try {
                parsed = JSON.parse(text) as Record<string, unknown>;
              } catch {
                parsed = null;
              }
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, text });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Sends and insists on the expected status; the error names the request and what came back. */
  async expect(
    expected: number,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Record<string, unknown>> {
    const answer = await this.send(method, path, body, headers);
    if (answer.status !== expected)
      throw new Error(
        `${method} ${path}: expected ${expected}, got ${answer.status}: ${answer.text.slice(0, 400)}`,
      );
    return answer.body ?? {};
  }

  close(): void {
    this.agent.destroy();
  }
}
