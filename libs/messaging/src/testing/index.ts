import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { uniqueName, testSettings } from '@wandelwerk/testing';
import { connectNats } from '../nats/nats-connection.js';
import { deleteTopology, provisionTopology } from '../topology/provision.js';
import { buildTopology, type Topology } from '../topology/topology.js';

export interface TestTopology {
  prefix: string;
  topology: Topology;
  nc: NatsConnection;
  dispose(): Promise<void>;
}

/** A provisioned topology under a unique prefix on the given (or the machine's) NATS server. */
export async function createTestTopology(
  options: { url?: string; ackWaitMs?: number } = {},
): Promise<TestTopology> {
  const prefix = uniqueName('t');
  const topology = buildTopology({ prefix, ackWaitMs: options.ackWaitMs ?? 5_000 });
  const nc = await connectNats({ url: options.url ?? testSettings().NATS_URL, name: `test-${prefix}` });
  await provisionTopology(await jetstreamManager(nc), topology);
  return {
    prefix,
    topology,
    nc,
    dispose: async () => {
      await deleteTopology(await jetstreamManager(nc), topology).catch(() => undefined);
      await nc.drain().catch(() => undefined);
    },
  };
}
