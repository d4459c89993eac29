import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Module, NotFoundException } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ServiceSettings } from '@wandelwerk/config';
import {
  proposalEndorsedFixture,
  validateEventData,
  type CloudEvent,
  type ProposalEndorsedEvent,
} from '@wandelwerk/contracts';
import { DeadLetterAdmin, EventContext, RpcClient, streamNameOf, subjectOf } from '@wandelwerk/messaging';
import type { TestTopology } from '@wandelwerk/messaging/testing';
import { currentCorrelationId } from '@wandelwerk/observability';
import { waitFor } from '@wandelwerk/testing';
import { messagingTablesMigration } from './database/migrations.js';
import { startTestService, type TestService } from './testing/index.js';

const seen: { eventId: string; correlationId: string | undefined }[] = [];

/** A feature module as a service writes one: a request handler that refuses, and an event handler that emits. */
@Controller()
class ProbeHandlers {
  @MessagePattern('funding.probe.find')
  find(@Payload() query: { id: string }): never {
    throw new NotFoundException({
      status: 404,
      title: 'Not Found',
      detail: `Allokation ${query.id} nicht gefunden`,
    });
  }

  @EventPattern<string>('projects.proposal.endorsed.v1')
  async onEndorsed(
    @Payload() event: CloudEvent<ProposalEndorsedEvent>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    seen.push({ eventId: event.id, correlationId: currentCorrelationId() });
    await ctx.publish({
      type: 'funding.allocation.requested.v1',
      subject: event.subject,
      data: { proposalId: event.subject },
    });
  }
}

@Module({ controllers: [ProbeHandlers] })
class ProbeModule {}

describe('a service built by the platform (hybrid HTTP + JetStream app, real infrastructure)', () => {
  let t: TestService;
  let topo: TestTopology;
  let url: string;

  beforeAll(async () => {
    t = await startTestService(ServiceSettings, (settings) => ({
      name: 'funding',
      settings,
      modules: [ProbeModule],
      database: { schema: 'funding', entities: [], migrations: [messagingTablesMigration('funding')] },
      redis: true,
      messaging: { validatePayload: validateEventData, maxAttempts: 2, retryBaseDelayMs: 20 },
    }));
    ({ topo, url } = t);
  }, 30_000);

  afterAll(async () => {
    await t.dispose();
  });

  it('is live and ready with PostgreSQL, NATS and Redis', async () => {
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { postgres: { status: 'up' }, nats: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it("keeps a request handler's HTTP status and problem details on the way back", async () => {
    const client = new RpcClient({ nc: topo.nc, prefix: topo.prefix, timeoutMs: 2_000 });
    await expect(client.request('funding.probe.find', { id: 'a-1' })).rejects.toMatchObject({
      status: 404,
      response: expect.objectContaining({ detail: 'Allokation a-1 nicht gefunden' }),
    });
    await expect(client.request('funding.system.ping', {})).resolves.toMatchObject({ service: 'funding' });
  });

  it('handles a contract fixture in the correlation scope of its event and relays what it caused', async () => {
    const js = jetstream(topo.nc);
    await js.publish(
      subjectOf(topo.prefix, proposalEndorsedFixture.type),
      JSON.stringify(proposalEndorsedFixture),
    );
    await waitFor(() => seen.some((s) => s.eventId === proposalEndorsedFixture.id), { what: 'the handler' });
    expect(seen).toContainEqual({
      eventId: proposalEndorsedFixture.id,
      correlationId: proposalEndorsedFixture.correlationid,
    });
    const jsm = await jetstreamManager(topo.nc);
    await waitFor(
      async () => (await jsm.streams.info(streamNameOf(topo.prefix, 'funding'))).state.messages === 1,
      {
        what: 'the caused event in the FUNDING stream',
      },
    );
    const caused = await jsm.streams.getMessage(streamNameOf(topo.prefix, 'funding'), { seq: 1 });
    expect(caused?.json()).toMatchObject({
      type: 'funding.allocation.requested.v1',
      correlationid: proposalEndorsedFixture.correlationid,
      causationid: proposalEndorsedFixture.id,
    });
  });

  it('dead-letters an event whose payload breaks its contract without calling the handler', async () => {
    const broken = structuredClone(proposalEndorsedFixture) as unknown as {
      id: string;
      data: Record<string, unknown>;
    };
    broken.id = '0b9f2a52-8f0e-4c4e-9d4e-6f1a2b3c4d5e';
    broken.data['requestedFundingByYear'] = 'lots';
    await jetstream(topo.nc).publish(
      subjectOf(topo.prefix, proposalEndorsedFixture.type),
      JSON.stringify(broken),
    );
    const admin = new DeadLetterAdmin(topo.nc, topo.prefix);
    const [entry] = await waitFor(async () => ((await admin.list()).length > 0 ? admin.list() : undefined), {
      what: 'a dead letter',
    });
    expect(entry).toMatchObject({ consumer: 'funding', eventId: broken.id, attempts: 1 });
    expect(entry?.error).toContain('requestedFundingByYear');
    expect(seen.some((s) => s.eventId === broken.id)).toBe(false);
  });
});
