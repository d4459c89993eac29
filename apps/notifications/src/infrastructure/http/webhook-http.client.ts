import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkTarget, type Resolver } from './target-guard.js';

export interface WebhookResponse {
  status: number;
  /** The start of the answer, for the delivery log. */
  body: string;
}

export interface WebhookPostOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  resolve?: Resolver;
}

/**
 * POSTs a webhook body. The host is resolved and checked first (SSRF); the socket then connects to exactly those
 * addresses (the lookup is pinned), so a DNS answer that changes in between cannot redirect the request. Redirects
 * are not followed.
 */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: WebhookPostOptions,
): Promise<WebhookResponse> {
  const target = new URL(url);
  const addresses = await checkTarget(target, options.allowPrivate, options.resolve);
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    const first = addresses[0];
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (err: null, list: { address: string; family: number }[]) => void)(
        null,
        addresses,
      );
    } else {
      callback(null, first.address, first.family);
    }
  };
  const requestOptions: RequestOptions = {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Wandelwerk-Webhooks/1',
    },
    lookup: pinned,
    timeout: options.timeoutMs,
  };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<WebhookResponse>((resolve, reject) => {
    const req = send(target, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < 2_000) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 500) }),
      );
      res.on('error', reject);
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
