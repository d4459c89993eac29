import { expect } from '@jest/globals';
import type {
  ActorDto,
  AllocationDto,
  ContactDto,
  MunicipalityDto,
  NotificationPageDto,
  Page,
  ProgrammeDto,
  ProposalDto,
} from '@wandelwerk/contracts';
import { FundingSettings, fundingBlueprint } from '@wandelwerk/funding/blueprint';
import { MunicipalitiesSettings, municipalitiesBlueprint } from '@wandelwerk/municipalities/blueprint';
import { NotificationsSettings, notificationsBlueprint } from '@wandelwerk/notifications/blueprint';
import { startMailCatcher, type CaughtMail, type MailCatcher } from '@wandelwerk/notifications/testing';
import { createServiceApp, SETTINGS, type ServiceApp } from '@wandelwerk/platform';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { ProjectsSettings, projectsBlueprint } from '@wandelwerk/projects/blueprint';
import { waitFor } from '@wandelwerk/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startTestGateway, type Send, type TestGateway } from './gateway.js';

const demoCsv = readFileSync(new URL('../../data/demo/municipalities.csv', import.meta.url), 'utf8');

/** The program manager who owns the proposals, and the funding officer who reviews and approves them. */
export const MANAGER: ActorDto = {
  userId: '7a1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f71',
  role: 'program_manager',
  municipalityId: null,
};
export const OFFICER: ActorDto = {
  userId: '7a1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f72',
  role: 'funding_officer',
  municipalityId: null,
};
const scores = { regionalValueAdded: 5, jobs: 3, sustainability: 4, cooperation: 5, feasibility: 4 };

/** The AGS of the lead (Senftenberg), the partner (Großräschen) and a bystander (Schipkau). */
export const AGS = { lead: '12066304', partner: '12066112', bystander: '12066285' } as const;
/** Their contacts: German at the lead, English at the partner. */
export const LEAD_CONTACT_EMAIL = 'wirtschaft@senftenberg.example';
export const PARTNER_CONTACT_EMAIL = 'economy@grossraeschen.example';
export const PUBLIC_API_URL = 'https://wandelwerk.example';

export type Stage = 'submitted' | 'in-review' | 'endorsed' | 'approved' | 'committed';

export interface NotificationsPlatform {
  gateway: TestGateway;
  /** As the test administrator. */
  send: Send;
  as(actor: ActorDto): Send;
  smtp: MailCatcher;
  municipalities: TestService;
  projects: TestService;
  funding: TestService;
  notifications: TestService;
  /** Municipality ids by AGS. */
  ids: Record<string, string>;
  leadContact: ContactDto;
  partnerContact: ContactDto;
  programme: ProgrammeDto;
  /** A municipality's account (role `municipality`, bound to it). */
  accountOf(ags: string): ActorDto;
  mailsTo(address: string): CaughtMail[];
  /** The in-app inbox of an actor through the gateway. */
  inbox(actor: ActorDto, query?: string): Promise<NotificationPageDto>;
  /** A new proposal (lead Senftenberg, partner Großräschen) taken through the API up to `stage`. */
  proposalUpTo(stage: Stage, title?: string): Promise<{ proposal: ProposalDto; allocation?: AllocationDto }>;
  /** Stops the notifications service (drains it) while everything else keeps running. */
  stopNotifications(): Promise<void>;
  /** Starts the notifications service again on the same database, NATS prefix and Redis keys. */
  startNotifications(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The services that make notifications happen — municipalities, projects, funding, notifications — in this process
 * on one NATS prefix, the gateway in front of them and a real SMTP server behind: the demo municipalities imported,
 * a German contact at Senftenberg and an English one at Großräschen, the programme INVKG-BB with a budget, and every
 * read model settled.
 */
export async function startNotificationsPlatform(
  overrides: Record<string, string> = {},
): Promise<NotificationsPlatform> {
  const smtp = await startMailCatcher();
  const municipalities = await startTestService(MunicipalitiesSettings, municipalitiesBlueprint);
  const prefix = { NATS_PREFIX: municipalities.topo.prefix };
  const projects = await startTestService(ProjectsSettings, projectsBlueprint, prefix);
  const funding = await startTestService(FundingSettings, fundingBlueprint, prefix);
  const notifications = await startTestService(NotificationsSettings, notificationsBlueprint, {
    ...prefix,
    SMTP_URL: smtp.url,
    PUBLIC_API_URL,
    // The receivers of the tests listen on loopback.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    DELIVERY_BACKOFF_MS: '50',
    DELIVERY_MAX_ATTEMPTS: '4',
    DISPATCH_POLL_MS: '200',
    SCHEDULER_INTERVAL_MS: '1000',
    ...overrides,
  });
  const gateway = await startTestGateway(municipalities.topo.prefix);
  const send = gateway.send;
  const as = (actor: ActorDto) => gateway.sendAs(actor);

  expect(
    (await send('POST', '/api/v1/municipalities/import', demoCsv, { 'content-type': 'text/csv' })).status,
  ).toBe(200);
  const ids: Record<string, string> = {};
  const listed = (await send('GET', '/api/v1/municipalities?limit=100'))
    .body as unknown as Page<MunicipalityDto>;
  for (const m of listed.items) ids[m.ags] = m.id;
  const addContact = async (ags: string, fullName: string, email: string, language: 'de' | 'en') => {
    const added = await send('POST', `/api/v1/municipalities/${ids[ags]}/contacts`, {
      fullName,
      role: 'Wirtschaftsförderung',
      email,
      language,
    });
    expect(added.status).toBe(201);
    return added.body as unknown as ContactDto;
  };
  const leadContact = await addContact(AGS.lead, 'Katrin Lehmann', LEAD_CONTACT_EMAIL, 'de');
  const partnerContact = await addContact(AGS.partner, 'Jane Doe', PARTNER_CONTACT_EMAIL, 'en');

  const created = await send('POST', '/api/v1/funding/programmes', {
    code: 'INVKG-BB',
    name: 'InvKG Arm 1 Brandenburg',
    legalBasis: 'Investitionsgesetz Kohleregionen (InvKG), §§ 1, 3 und 7',
    maxFundingRateBasisPoints: 9000,
    fundingPeriod: { firstYear: 2020, lastYear: 2038 },
    eligibleStateCodes: ['12'],
    eligibleRegions: ['lausitz'],
  });
  expect(created.status).toBe(201);
  const programme = created.body as unknown as ProgrammeDto;
  const raised = await send('POST', `/api/v1/funding/programmes/${programme.id}/budget/amendments`, {
    kind: 'raise',
    year: 2026,
    amountCents: 2_000_000_000,
    reason: 'Haushaltsplan 2026',
  });
  expect(raised.status).toBe(201);
  await waitFor(
    async () =>
      (await projects.db.query(`SELECT 1 FROM projects.programme_read_model WHERE code = 'INVKG-BB'`))
        .length === 1 &&
      (await projects.db.query(`SELECT 1 FROM projects.municipality_read_model`)).length === 19 &&
      (await notifications.db.query(`SELECT 1 FROM notifications.municipality_read_model`)).length === 19 &&
      (await notifications.db.query(`SELECT 1 FROM notifications.contact_read_model`)).length === 2,
    { what: 'the read models of projects and notifications', timeoutMs: 20_000 },
  );

  let restarted: ServiceApp | undefined;
  let settings: NotificationsSettings | undefined;
  const current = () => restarted ?? notifications.service;

  const proposalUpTo = async (stage: Stage, title = `Stadthalle ${randomUUID().slice(0, 8)}`) => {
    const draft = await as(MANAGER)('POST', '/api/v1/projects', {
      title,
      summary: 'Energetische Sanierung der Stadthalle und ein neuer Kongresssaal.',
      description: '',
      workshop: 'culture-tourism-marketing',
      programmeCode: 'INVKG-BB',
      leadMunicipality: { municipalityId: ids[AGS.lead], costShareBasisPoints: 8000 },
      partners: [{ municipalityId: ids[AGS.partner], costShareBasisPoints: 2000 }],
      totalCostCents: 100_000_000,
      eligibleCostCents: 100_000_000,
      requestedFundingCents: 90_000_000,
      costPlan: [{ year: 2026, amountCents: 100_000_000 }],
      plannedStart: '2026-01-01',
      plannedEnd: '2026-12-31',
      indicators: [],
    });
    expect(draft.status).toBe(201);
    const id = draft.body?.['id'] as string;
    const step = async (actor: ActorDto, action: string, body: object = {}) => {
      const answer = await as(actor)('POST', `/api/v1/projects/${id}/${action}`, body);
      expect([action, answer.status]).toEqual([action, 200]);
      return answer.body as unknown as ProposalDto;
    };
    let proposal = await step(MANAGER, 'submit');
    if (stage === 'submitted') return { proposal };
    proposal = await step(OFFICER, 'start-review', { reviewDueDate: '2026-03-31' });
    if (stage === 'in-review') return { proposal };
    const review = await as(OFFICER)('POST', `/api/v1/projects/${id}/reviews`, {
      votum: 'endorse',
      scores,
      comment: 'Empfohlen.',
    });
    proposal = await step(OFFICER, 'endorse', { reviewId: review.body?.['id'] });
    if (stage === 'endorsed') return { proposal };
    const requested = await waitFor(
      async () =>
        (
          (await as(OFFICER)('GET', `/api/v1/funding/allocations?proposalId=${id}`))
            .body as unknown as Page<AllocationDto>
        ).items[0],
      { what: 'the allocation request' },
    );
    const path = `/api/v1/funding/allocations/${requested.id}`;
    let allocation = (await as(OFFICER)('POST', `${path}/approve`, {})).body as unknown as AllocationDto;
    expect(allocation.status).toBe('approved');
    proposal = await waitFor(
      async () => {
        const p = (await as(MANAGER)('GET', `/api/v1/projects/${id}`)).body as unknown as ProposalDto;
        return p.status === 'approved' ? p : null;
      },
      { what: 'the proposal approved' },
    );
    if (stage === 'approved') return { proposal, allocation };
    allocation = (
      await as(OFFICER)('POST', `${path}/commit`, {
        grantDecisionDate: '2026-03-02',
        grantReference: `80-2026-${id.slice(0, 4)}`,
      })
    ).body as unknown as AllocationDto;
    expect(allocation.status).toBe('committed');
    return { proposal, allocation };
  };

  return {
    gateway,
    send,
    as,
    smtp,
    municipalities,
    projects,
    funding,
    notifications,
    ids,
    leadContact,
    partnerContact,
    programme,
    accountOf: (ags) => ({ userId: randomUUID(), role: 'municipality', municipalityId: ids[ags] ?? null }),
    mailsTo: (address) => smtp.mails.filter((m) => m.to.includes(address)),
    inbox: async (actor, query = '') =>
      (await as(actor)('GET', `/api/v1/notifications?limit=100${query}`))
        .body as unknown as NotificationPageDto,
    proposalUpTo,
    async stopNotifications() {
      settings ??= notifications.service.app.get<NotificationsSettings>(SETTINGS);
      await current().stop();
    },
    async startNotifications() {
      settings ??= notifications.service.app.get<NotificationsSettings>(SETTINGS);
      // The same settings: database, NATS prefix (its durable consumer), BullMQ queue prefix.
      restarted = await createServiceApp(notificationsBlueprint(settings));
      await restarted.start();
    },
    async stop() {
      await gateway.stop();
      await restarted?.stop();
      await notifications.dispose();
      await funding.dispose();
      await projects.dispose();
      await municipalities.dispose();
      await smtp.close();
    },
  };
}
