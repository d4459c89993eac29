import type { JetStreamManager } from '@nats-io/jetstream';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { Topology } from './topology.js';

export interface ProvisionReport {
  streamsCreated: string[];
  streamsUpdated: string[];
  consumersCreated: string[];
  consumersUpdated: string[];
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound)
  );
}

/** Creates or updates every stream and durable consumer of the topology; safe to run again and again. */
export async function provisionTopology(jsm: JetStreamManager, topology: Topology): Promise<ProvisionReport> {
  const report: ProvisionReport = {
    streamsCreated: [],
    streamsUpdated: [],
    consumersCreated: [],
    consumersUpdated: [],
  };
  for (const stream of [...topology.streams, topology.deadLetter]) {
    try {
      await jsm.streams.info(stream.name);
      await jsm.streams.update(stream.name, stream);
      report.streamsUpdated.push(stream.name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.streams.add(stream);
      report.streamsCreated.push(stream.name);
    }
  }
  for (const consumer of topology.consumers) {
    const label = `${consumer.stream}/${consumer.durable}`;
    try {
      await jsm.consumers.info(consumer.stream, consumer.durable);
      const { durable_name: _name, ...changeable } = consumer.config;
      await jsm.consumers.update(consumer.stream, consumer.durable, changeable);
      report.consumersUpdated.push(label);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.consumers.add(consumer.stream, consumer.config);
      report.consumersCreated.push(label);
    }
  }
  return report;
}

/** Removes every stream of a topology (tests clean up after themselves with this). */
export async function deleteTopology(jsm: JetStreamManager, topology: Topology): Promise<void> {
  for (const stream of [...topology.streams, topology.deadLetter]) {
    try {
      await jsm.streams.delete(stream.name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
