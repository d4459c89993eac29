import { loadConfig } from '@wandelwerk/config';
import { GatewaySettings, gatewayBlueprint } from '@wandelwerk/gateway/blueprint';
import { createServiceApp } from '@wandelwerk/platform';
import { testSettings, uniqueName } from '@wandelwerk/testing';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | null;
}

/** What a client does: JSON in and out; a string body goes as it is (e.g. CSV, with its own content type). */
export type Send = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<HttpAnswer>;

export interface TestGateway {
  url: string;
  send: Send;
  stop(): Promise<void>;
}

/** The gateway in this process, on the NATS prefix of the services the test started, with its own Redis keys. */
export async function startTestGateway(natsPrefix: string): Promise<TestGateway> {
  const settings = loadConfig(
    GatewaySettings,
    {
      NATS_URL: testSettings().NATS_URL,
      REDIS_URL: testSettings().REDIS_URL,
      NATS_PREFIX: natsPrefix,
      REDIS_KEY_PREFIX: uniqueName('wwtest'),
      LOG_LEVEL: testSettings().TEST_LOG_LEVEL,
      PORT: '0',
    },
    'gateway',
  );
  const gateway = await createServiceApp(gatewayBlueprint(settings));
  const url = await gateway.start();
  const send: Send = async (method, path, body, headers = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    };
  };
  return { url, send, stop: () => gateway.stop() };
}
