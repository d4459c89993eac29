import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface NatsConnectOptions {
  url: string;
  name: string;
  /** How long to keep trying the first connection before giving up (reconnects after that never give up). */
  firstConnectTimeoutMs?: number;
}

/** A connection that reconnects forever: a broker outage pauses the service, it never ends it. */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  return connect({
    servers: options.url.split(','),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    timeout: options.firstConnectTimeoutMs ?? 10_000,
    pingInterval: 10_000,
  });
}
