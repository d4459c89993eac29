import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { createTestTopology, type TestTopology } from '../testing/index.js';
import { streamNameOf, subjectOf } from '../topology/topology.js';
import { AckedPublisher } from './acked-publisher.js';

describe('AckedPublisher on JetStream', () => {
  let topo: TestTopology;
  let publisher: AckedPublisher;

  beforeAll(async () => {
    topo = await createTestTopology();
    publisher = new AckedPublisher(topo.nc);
  });

  afterAll(async () => {
    publisher.close();
    await topo.dispose();
  });

  const subject = (): string => subjectOf(topo.prefix, 'projects.proposal.endorsed.v1');

  it('resolves once the stream has stored the message, and tells a duplicate message id', async () => {
    await expect(publisher.publish(subject(), '{"n":1}', 'acked-1', 2_000)).resolves.toEqual({
      duplicate: false,
    });
    await expect(publisher.publish(subject(), '{"n":1}', 'acked-1', 2_000)).resolves.toEqual({
      duplicate: true,
    });
    const info = await (await jetstreamManager(topo.nc)).streams.info(streamNameOf(topo.prefix, 'projects'));
    expect(info.state.messages).toBe(1);
  });

  it('keeps many publishes in flight apart', async () => {
    const acks = await Promise.all(
      Array.from({ length: 50 }, (_, n) => publisher.publish(subject(), `{"n":${n}}`, `many-${n}`, 2_000)),
    );
    expect(acks.every((ack) => !ack.duplicate)).toBe(true);
  });

  it('fails when no stream takes the subject', async () => {
    await expect(
      publisher.publish(subjectOf(topo.prefix, 'nowhere.at.all.v1'), '{}', 'lost-1', 2_000),
    ).rejects.toThrow('no stream takes this subject');
  });

  it('fails when no acknowledgement comes in time', async () => {
    // Something listens on the subject but never answers, as a stream behind a partitioned server would.
    const silent = topo.nc.subscribe(subjectOf(topo.prefix, 'silent.subject'));
    try {
      await expect(
        publisher.publish(subjectOf(topo.prefix, 'silent.subject'), '{}', 'silent-1', 200),
      ).rejects.toThrow('did not acknowledge');
    } finally {
      silent.unsubscribe();
    }
  });
});
