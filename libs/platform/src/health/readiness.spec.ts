import { describe, expect, it } from '@jest/globals';
import { checkReadiness } from './readiness.js';

describe('checkReadiness', () => {
  const up = { name: 'postgres', check: () => Promise.resolve() };
  const down = { name: 'redis', check: () => Promise.reject(new Error('connection refused')) };
  const hanging = { name: 'nats', check: () => new Promise<void>(() => undefined) };

  it('is ready when every dependency answers', async () => {
    const report = await checkReadiness([up], 100, false);
    expect(report.status).toBe('ready');
    expect(report.checks['postgres']?.status).toBe('up');
  });

  it('names the dependency that is down and why', async () => {
    const report = await checkReadiness([up, down], 100, false);
    expect(report.status).toBe('not_ready');
    expect(report.checks['redis']).toMatchObject({ status: 'down', error: 'connection refused' });
  });

  it('does not hang on a dependency that never answers', async () => {
    const report = await checkReadiness([hanging], 50, false);
    expect(report.checks['nats']).toMatchObject({ status: 'down', error: 'no answer within 50 ms' });
  });

  it('reports draining while the service shuts down, so load balancers stop sending', async () => {
    expect((await checkReadiness([up], 100, true)).status).toBe('draining');
  });
});
