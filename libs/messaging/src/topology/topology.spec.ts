import { describe, expect, it } from '@jest/globals';
import {
  buildTopology,
  deadLetterSubject,
  DUPLICATE_WINDOW_MS,
  nanos,
  RELAY_RETRY_HORIZON_MS,
  rpcSubject,
  subjectOf,
  typeOfSubject,
} from './topology.js';

describe('topology', () => {
  it('has one stream per producing service and a dead-letter stream, all under the prefix', () => {
    const topology = buildTopology({ prefix: 't1' });
    expect(topology.streams.map((s) => [s.name, s.subjects])).toEqual([
      ['t1PROJECTS', ['t1.projects.>']],
      ['t1FUNDING', ['t1.funding.>']],
      ['t1MUNICIPALITIES', ['t1.municipalities.>']],
      ['t1NOTIFICATIONS', ['t1.notifications.>']],
    ]);
    expect(topology.deadLetter).toMatchObject({ name: 't1DEADLETTER', subjects: ['t1.deadletter.>'] });
  });

  it('gives each consuming service one durable consumer per stream it reads', () => {
    const consumers = buildTopology({ prefix: '' }).consumers.map((c) => `${c.stream}/${c.durable}`);
    expect(consumers.sort()).toEqual([
      'FUNDING/notifications',
      'FUNDING/projects',
      'MUNICIPALITIES/notifications',
      'MUNICIPALITIES/projects',
      'PROJECTS/funding',
      'PROJECTS/notifications',
    ]);
  });

  it('acknowledges explicitly and never lets the server drop a message after some deliveries', () => {
    for (const consumer of buildTopology({ prefix: '' }).consumers) {
      expect(consumer.config).toMatchObject({ ack_policy: 'explicit', max_deliver: -1 });
    }
  });

  it('remembers message ids longer than the relay may retry a row (de-duplication holds)', () => {
    expect(DUPLICATE_WINDOW_MS).toBeGreaterThan(RELAY_RETRY_HORIZON_MS);
    for (const stream of buildTopology({ prefix: '' }).streams) {
      expect(stream.duplicate_window).toBe(nanos(DUPLICATE_WINDOW_MS));
    }
  });

  it('maps types to subjects and back, and names dead-letter and RPC subjects', () => {
    expect(subjectOf('e2', 'funding.allocation.approved.v1')).toBe('e2.funding.allocation.approved.v1');
    expect(typeOfSubject('e2', 'e2.funding.allocation.approved.v1')).toBe('funding.allocation.approved.v1');
    expect(subjectOf('', 'funding.allocation.approved.v1')).toBe('funding.allocation.approved.v1');
    expect(deadLetterSubject('', 'projects', 'funding.allocation.approved.v1')).toBe(
      'deadletter.projects.funding.allocation.approved.v1',
    );
    expect(rpcSubject('', 'projects.proposal.submit')).toBe('rpc.projects.proposal.submit');
  });

  it('refuses a prefix that would break stream names or subjects', () => {
    expect(() => buildTopology({ prefix: 'a.b' })).toThrow(/letters, digits/);
    expect(() => buildTopology({ prefix: 'a b' })).toThrow();
  });
});
