import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  allocationRejectedFixture,
  MUNICIPALITIES,
  municipalityRegisteredFixture,
  NOTIFICATIONS_RPC,
  proposalSubmittedFixture,
  USERS,
  type ActorDto,
  type CloudEvent,
  type WebhookWithSecretDto,
} from '@wandelwerk/contracts';
import { DeadLetterAdmin, streamNameOf, subjectOf } from '@wandelwerk/messaging';
import { BackgroundJobs } from '@wandelwerk/platform';
import { startTestService } from '@wandelwerk/platform/testing';
import { startPrivateRedisServer, waitFor, type PrivateServer } from '@wandelwerk/testing';
import { randomUUID } from 'node:crypto';
import { NotificationsSettings } from '../config/notifications.settings.js';
import { SCHEDULE_QUEUE } from '../digests/schedules.processor.js';
import { notificationsBlueprint } from '../notifications.blueprint.js';
import { startWebhookReceiver, type WebhookReceiver } from '../testing/receivers.js';
import { DELIVERY_QUEUE, deliveryJobId } from './delivery-queue.js';

const { senftenberg, grossraeschen, schipkau } = MUNICIPALITIES;
const ADMIN: ActorDto = { userId: USERS.administrator, role: 'admin', municipalityId: null };

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  round: number;
}

/** The service with the registry's municipalities known and a webhook of Senftenberg's pointing at `receiver`. */
async function startWithWebhook(overrides: Record<string, string>) {
  const t = await startTestService(NotificationsSettings, notificationsBlueprint, {
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    DISPATCH_POLL_MS: '200',
    PUBLIC_API_URL: 'https://wandelwerk.example',
    ...overrides,
  });
  const publish = async (event: CloudEvent): Promise<void> => {
    await jetstream(t.topo.nc).publish(subjectOf(t.topo.prefix, event.type), JSON.stringify(event));
  };
  for (const m of [senftenberg, grossraeschen, schipkau])
    await publish({
      ...municipalityRegisteredFixture,
      id: randomUUID(),
      subject: m.municipalityId,
      data: { ...municipalityRegisteredFixture.data, ags: m.ags, name: m.name, officialName: m.officialName },
    });
  await waitFor(
    async () => (await t.db.query(`SELECT 1 FROM notifications.municipality_read_model`)).length === 3,
    { what: 'the municipalities in the read model' },
  );
  /** Senftenberg's one webhook endpoint, to `receiver`; `remove()` deletes it again. */
  const webhookTo = async (receiver: WebhookReceiver) => {
    const webhook = await t.rpc.request<WebhookWithSecretDto>(NOTIFICATIONS_RPC.createWebhook, {
      actor: ADMIN,
      municipalityId: senftenberg.municipalityId,
      data: { url: receiver.url },
    });
    return {
      remove: () =>
        t.rpc.request(NOTIFICATIONS_RPC.deleteWebhook, {
          actor: ADMIN,
          municipalityId: senftenberg.municipalityId,
          id: webhook.id,
        }),
    };
  };
  /** Publishes a submission of a new proposal, waits until it is handled; `delivery()` reads its webhook delivery. */
  const submit = async (): Promise<{ event: CloudEvent; delivery: () => Promise<DeliveryRow> }> => {
    const event = { ...proposalSubmittedFixture, id: randomUUID(), subject: randomUUID() };
    await publish(event);
    const delivery = async () => {
      const [row] = await t.db.query<DeliveryRow>(
        `SELECT d.id, d.status, d.attempts, d.round FROM notifications.delivery d
         JOIN notifications.notification n ON n.id = d.notification_id
         WHERE n.source_event_id = $1 AND d.channel = 'webhook'`,
        [event.id],
      );
      return row;
    };
    await waitFor(
      async () =>
        (await t.db.query(`SELECT 1 FROM notifications.inbox WHERE event_id = $1`, [event.id])).length === 1,
      {
        what: 'the submission handled',
      },
    );
    return { event, delivery };
  };
  const attemptLog = async (deliveryId: string) =>
    (
      await t.db.query<{ attempt: number; http_status: number; started_at: Date }>(
        `SELECT attempt, http_status, started_at FROM notifications.delivery_attempt WHERE delivery_id = $1 ORDER BY seq`,
        [deliveryId],
      )
    ).map((a) => ({ attempt: a.attempt, httpStatus: a.http_status, startedAt: a.started_at }));
  const queue = () => t.service.app.get(BackgroundJobs).queue(DELIVERY_QUEUE);
  return { t, publish, webhookTo, submit, attemptLog, queue };
}

describe('deliveries when Redis comes back without its data (a private redis-server)', () => {
  let redis: PrivateServer;
  let s: Awaited<ReturnType<typeof startWithWebhook>>;

  beforeAll(async () => {
    redis = await startPrivateRedisServer();
    s = await startWithWebhook({
      REDIS_URL: redis.url,
      // The retry waits in Redis as a delayed job when Redis goes; no sweep comes in between.
      DELIVERY_BACKOFF_MS: '5000',
      DELIVERY_SWEEP_MS: '3600000',
    });
  }, 60_000);

  afterAll(async () => {
    await s?.t.dispose();
    await redis?.dispose();
  });

  it('queues again from PostgreSQL the delivery whose retry Redis lost, sends it once, and sets up the schedules again', async () => {
    const receiver = await startWebhookReceiver([503]);
    const hook = await s.webhookTo(receiver);
    try {
      const { delivery } = await s.submit();
      const failedOnce = await waitFor(
        async () => {
          const row = await delivery();
          return row?.status === 'pending' && row.attempts === 1 ? row : null;
        },
        { what: 'the first attempt failed' },
      );
      expect(await s.queue().getJobState(deliveryJobId(failedOnce.id))).toBe('delayed');

      await redis.stop();
      await redis.start();

      await waitFor(async () => (await delivery()).status === 'succeeded', {
        what: 'the delivery sent after Redis came back empty',
        timeoutMs: 20_000,
      });
      expect(receiver.received.map((r) => r.answeredWith)).toEqual([503, 204]);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect((await s.attemptLog(failedOnce.id)).map((a) => [a.attempt, a.httpStatus])).toEqual([
        [1, 503],
        [2, 204],
      ]);
      const schedulers = await waitFor(
        async () => {
          const found = (
            await s.t.service.app.get(BackgroundJobs).queue(SCHEDULE_QUEUE).getJobSchedulers()
          ).map((j) => j.key);
          return found.length === 2 ? found : null;
        },
        { what: 'the digest and review-wait schedules back in Redis' },
      );
      expect(schedulers.sort()).toEqual(['digests', 'review-wait']);
    } finally {
      await hook.remove();
      await receiver.close();
    }
  }, 40_000);
});

describe('deliveries that lost their job, outcomes on ended connections, events before their proposal', () => {
  let s: Awaited<ReturnType<typeof startWithWebhook>>;

  beforeAll(async () => {
    s = await startWithWebhook({
      // A retry is never due within this suite: only the sweep can send a delivery again.
      DELIVERY_BACKOFF_MS: '600000',
      DELIVERY_SWEEP_MS: '1000',
      // An event about an unknown proposal is tried at once, after about 1 s and after about 3 s (the last).
      EVENT_MAX_ATTEMPTS: '3',
    });
  }, 60_000);

  afterAll(async () => {
    await s?.t.dispose();
  });

  it('queues again a delivery whose job is gone once its retry is overdue, not before', async () => {
    const receiver = await startWebhookReceiver([503]);
    const hook = await s.webhookTo(receiver);
    try {
      const { delivery } = await s.submit();
      const failedOnce = await waitFor(
        async () => {
          const row = await delivery();
          return row?.status === 'pending' && row.attempts === 1 ? row : null;
        },
        { what: 'the first attempt failed' },
      );
      const jobId = deliveryJobId(failedOnce.id);
      await waitFor(async () => (await s.queue().getJobState(jobId)) === 'delayed', {
        what: 'the retry delayed',
      });
      await s.queue().remove(jobId);
      // Two sweeps later: the retry is not due yet (10 minutes of backoff), so nothing is sent early.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(receiver.received).toHaveLength(1);
      expect(await s.queue().getJobState(jobId)).toBe('unknown');

      // Ten minutes on, the retry is overdue and its job still gone: the sweep queues it again.
      await s.t.db.query(
        `UPDATE notifications.delivery SET updated_at = updated_at - interval '601 seconds' WHERE id = $1`,
        [failedOnce.id],
      );
      await waitFor(async () => (await delivery()).status === 'succeeded', {
        what: 'the delivery queued again by the sweep',
      });
      expect(receiver.received.map((r) => r.answeredWith)).toEqual([503, 204]);
      expect((await s.attemptLog(failedOnce.id)).map((a) => [a.attempt, a.httpStatus])).toEqual([
        [1, 503],
        [2, 204],
      ]);
    } finally {
      await hook.remove();
      await receiver.close();
    }
  }, 30_000);

  it('claims again, when its lease ends, a delivery whose sender died with its job', async () => {
    const receiver = await startWebhookReceiver([503]);
    const hook = await s.webhookTo(receiver);
    try {
      const { delivery } = await s.submit();
      const failedOnce = await waitFor(
        async () => {
          const row = await delivery();
          return row?.status === 'pending' && row.attempts === 1 ? row : null;
        },
        { what: 'the first attempt failed' },
      );
      // A sender claims it and dies before sending; its job goes with it.
      const [{ lease_until: leaseUntil }] = await s.t.db.query<{ lease_until: Date }>(
        `UPDATE notifications.delivery SET status = 'sending', attempts = attempts + 1,
           lease_until = clock_timestamp() + interval '3 seconds', updated_at = clock_timestamp()
         WHERE id = $1 RETURNING lease_until`,
        [failedOnce.id],
      );
      await s.queue().remove(deliveryJobId(failedOnce.id));

      await waitFor(async () => (await delivery()).status === 'succeeded', {
        what: 'the delivery sent after the lease',
      });
      expect(receiver.received.map((r) => r.answeredWith)).toEqual([503, 204]);
      const log = await s.attemptLog(failedOnce.id);
      expect(log.map((a) => [a.attempt, a.httpStatus])).toEqual([
        [1, 503],
        [3, 204],
      ]);
      expect(log[1].startedAt.getTime()).toBeGreaterThanOrEqual(leaseUntil.getTime());
    } finally {
      await hook.remove();
      await receiver.close();
    }
  }, 30_000);

  it('records an outcome whose first write lost its connection, without sending again', async () => {
    // The first write of an attempt's outcome has its connection terminated, as pg_terminate_backend does.
    await s.t.db.query(`CREATE SEQUENCE notifications.test_outcome_writes`);
    await s.t.db.query(
      `CREATE FUNCTION notifications.test_end_first_outcome_write() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF nextval('notifications.test_outcome_writes') = 1 THEN
           PERFORM pg_terminate_backend(pg_backend_pid());
         END IF;
         RETURN NEW;
       END $$`,
    );
    await s.t.db.query(
      `CREATE TRIGGER test_end_first_outcome_write BEFORE INSERT ON notifications.delivery_attempt
       FOR EACH ROW EXECUTE FUNCTION notifications.test_end_first_outcome_write()`,
    );
    const receiver = await startWebhookReceiver();
    const hook = await s.webhookTo(receiver);
    try {
      const { delivery } = await s.submit();
      const done = await waitFor(
        async () => {
          const row = await delivery();
          return row?.status === 'succeeded' ? row : null;
        },
        { what: 'the outcome recorded' },
      );
      const [{ writes }] = await s.t.db.query<{ writes: string }>(
        `SELECT last_value AS writes FROM notifications.test_outcome_writes`,
      );
      expect(Number(writes)).toBe(2);
      expect(receiver.received.map((r) => r.answeredWith)).toEqual([204]);
      expect(done.attempts).toBe(1);
      expect((await s.attemptLog(done.id)).map((a) => [a.attempt, a.httpStatus])).toEqual([[1, 204]]);
      expect(
        (await s.t.outbox('notifications.delivery.succeeded.v1')).filter((e) => e.subject === done.id),
      ).toHaveLength(1);
    } finally {
      await hook.remove();
      await receiver.close();
      await s.t.db.query(`DROP TRIGGER test_end_first_outcome_write ON notifications.delivery_attempt`);
    }
  }, 30_000);

  it('hands back an allocation decision about a proposal not seen yet, and notifies its owner once the proposal is known', async () => {
    const proposalId = randomUUID();
    const rejected: CloudEvent = {
      ...allocationRejectedFixture,
      id: randomUUID(),
      subject: randomUUID(),
      data: {
        ...allocationRejectedFixture.data,
        proposal: { ...allocationRejectedFixture.data.proposal, proposalId },
      },
    };
    await s.publish(rejected);
    // The first attempt found no proposal and gave the event back: delivered, not acknowledged.
    const jsm = await jetstreamManager(s.t.topo.nc);
    await waitFor(
      async () => {
        const info = await jsm.consumers.info(streamNameOf(s.t.topo.prefix, 'funding'), 'notifications');
        return info.num_ack_pending === 1;
      },
      { what: 'the allocation event handed back' },
    );
    await s.publish({ ...proposalSubmittedFixture, id: randomUUID(), subject: proposalId });

    const recipients = await waitFor(
      async () => {
        const rows = await s.t.db.query<{ kind: string; id: string }>(
          `SELECT recipient_kind AS kind, recipient_id AS id FROM notifications.notification
           WHERE source_event_id = $1 ORDER BY 1, 2`,
          [rejected.id],
        );
        return rows.length > 0 ? rows : null;
      },
      { what: 'the allocation decision notified' },
    );
    expect(recipients).toEqual(
      expect.arrayContaining([
        { kind: 'user', id: USERS.programManager },
        { kind: 'municipality', id: senftenberg.municipalityId },
      ]),
    );
  }, 30_000);

  it('notifies everyone but the owner on the last attempt when the proposal never comes, instead of dead-lettering', async () => {
    const rejected: CloudEvent = {
      ...allocationRejectedFixture,
      id: randomUUID(),
      subject: randomUUID(),
      data: {
        ...allocationRejectedFixture.data,
        proposal: { ...allocationRejectedFixture.data.proposal, proposalId: randomUUID() },
      },
    };
    await s.publish(rejected);
    const recipients = await waitFor(
      async () => {
        const rows = await s.t.db.query<{ kind: string }>(
          `SELECT recipient_kind AS kind FROM notifications.notification WHERE source_event_id = $1`,
          [rejected.id],
        );
        return rows.length > 0 ? rows : null;
      },
      { what: 'the allocation decision notified on its last attempt', timeoutMs: 15_000 },
    );
    expect(recipients.map((r) => r.kind)).not.toContain('user');
    expect(recipients.filter((r) => r.kind === 'municipality')).toHaveLength(3);
    expect(await new DeadLetterAdmin(s.t.topo.nc, s.t.topo.prefix).list()).toEqual([]);
  }, 30_000);
});
