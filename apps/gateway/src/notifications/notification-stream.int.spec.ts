import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { notificationCreatedFixture, type ActorDto, type CloudEvent } from '@wandelwerk/contracts';
import { subjectOf } from '@wandelwerk/messaging';
import { randomUUID } from 'node:crypto';
import { AccessTokens } from '../auth/access-tokens.js';
import { startTestGatewayApp, type TestGatewayApp } from '../testing/test-gateway.js';

const SECRET = 'stream-int-spec-secret-0123456789abcdef';

/** An open SSE stream: what arrived so far, and whether the server ended it. */
interface OpenStream {
  status: number;
  headers: Headers;
  text(): string;
  ended: Promise<void>;
  close(): void;
}

async function openStream(url: string, token: string): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await fetch(`${url}/api/v1/notifications/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  let received = '';
  const reader = response.body!.getReader();
  const ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
        if (done) return;
        received += decoder.decode(value, { stream: true });
      }
    } catch {
      // Aborted by the test.
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    text: () => received,
    ended,
    close: () => abort.abort(),
  };
}

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_resolve, reject) =>
      setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms),
    ),
  ]);

/** The live stream of the gateway, fed by `notifications.notification.created.v1` on core NATS. */
describe('the notification stream (in-process gateway, real NATS and Redis)', () => {
  let gateway: TestGatewayApp;
  const tokens = new AccessTokens(SECRET, 900);
  const municipalityId = randomUUID();
  const account: ActorDto = { userId: randomUUID(), role: 'municipality', municipalityId };

  const publishFor = async (recipientId: string, title: string) => {
    const event: CloudEvent<unknown> = {
      ...notificationCreatedFixture,
      id: randomUUID(),
      subject: randomUUID(),
      data: {
        ...notificationCreatedFixture.data,
        recipientKind: 'municipality',
        recipientId,
        title,
        channels: ['in-app'],
      },
    };
    gateway.topo.nc.publish(subjectOf(gateway.topo.prefix, event.type), JSON.stringify(event));
    await gateway.topo.nc.flush();
  };

  beforeAll(async () => {
    gateway = await startTestGatewayApp({ JWT_SECRET: SECRET, STREAM_HEARTBEAT_SECONDS: '1' });
  }, 30_000);

  afterAll(async () => {
    await gateway?.stop();
  });

  it('pushes the caller’s own notifications live, with the security headers, and nobody else’s', async () => {
    const stream = await openStream(gateway.url, (await tokens.issue(account)).token);
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
      expect(stream.headers.get('x-content-type-options')).toBe('nosniff');
      expect(stream.headers.get('content-security-policy')).toContain("default-src 'none'");
      await new Promise((resolve) => setTimeout(resolve, 200));
      await publishFor(randomUUID(), 'Fremde Gemeinde');
      await publishFor(municipalityId, 'Projekt eingereicht');
      await within(
        (async () => {
          while (!stream.text().includes('Projekt eingereicht')) await new Promise((r) => setTimeout(r, 50));
        })(),
        5_000,
        'the notification',
      );
      expect(stream.text()).not.toContain('Fremde Gemeinde');
    } finally {
      stream.close();
    }
  });

  it('ends when its token is revoked by a logout', async () => {
    const token = (await tokens.issue(account)).token;
    const stream = await openStream(gateway.url, token);
    const out = await fetch(`${gateway.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(204);
    await within(stream.ended, 5_000, 'the end of the stream');
  });

  it('ends when its token expires', async () => {
    const shortLived = new AccessTokens(SECRET, 2);
    const stream = await openStream(gateway.url, (await shortLived.issue(account)).token);
    expect(stream.status).toBe(200);
    await within(stream.ended, 6_000, 'the end of the stream');
  });
});
