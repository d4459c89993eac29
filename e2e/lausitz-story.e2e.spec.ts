import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type {
  ActorDto,
  AllocationDto,
  CloudEvent,
  ContactDto,
  CooperationDto,
  FundingReportDto,
  MunicipalityDto,
  NotificationDto,
  NotificationPageDto,
  Page,
  ProgrammeDto,
  ProposalDto,
  ReportObligationDto,
  WebhookWithSecretDto,
} from '@wandelwerk/contracts';
import { FundingSettings, fundingBlueprint } from '@wandelwerk/funding/blueprint';
import { MunicipalitiesSettings, municipalitiesBlueprint } from '@wandelwerk/municipalities/blueprint';
import { NotificationsSettings, notificationsBlueprint } from '@wandelwerk/notifications/blueprint';
import { startMailCatcher, type MailCatcher } from '@wandelwerk/notifications/testing';
import { BackgroundJobs } from '@wandelwerk/platform';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { ProjectsSettings, projectsBlueprint } from '@wandelwerk/projects/blueprint';
import { waitFor } from '@wandelwerk/testing';
import { parse } from 'csv-parse/sync';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type Send, type TestGateway } from './support/gateway.js';

const demoCsv = readFileSync(new URL('../data/demo/municipalities.csv', import.meta.url), 'utf8');

const TITLE = 'Sanierung und Nutzungserweiterung der Niederlausitzhalle Senftenberg';
const AGS = {
  senftenberg: '12066304',
  finsterwalde: '12062140',
  grossraeschen: '12066112',
  lauchhammer: '12066176',
  schwarzheide: '12066296',
  schipkau: '12066285',
} as const;
const PARTNERS: string[] = [AGS.finsterwalde, AGS.grossraeschen, AGS.lauchhammer, AGS.schwarzheide];
/** The proposal's municipalities: the lead first. */
const PROJECT_MUNICIPALITIES: string[] = [AGS.senftenberg, ...PARTNERS];
/** The contacts of the municipalities: German ones, and one English at Großräschen. */
const CONTACTS: { ags: string; fullName: string; role: string; email: string; language: 'de' | 'en' }[] = [
  {
    ags: AGS.senftenberg,
    fullName: 'Katrin Lehmann',
    role: 'Wirtschaftsförderung',
    email: 'wirtschaft@senftenberg.example.org',
    language: 'de',
  },
  {
    ags: AGS.senftenberg,
    fullName: 'Thomas Krüger',
    role: 'Bauamt',
    email: 'bauamt@senftenberg.example.org',
    language: 'de',
  },
  {
    ags: AGS.finsterwalde,
    fullName: 'Anja Richter',
    role: 'Stadtentwicklung',
    email: 'stadtentwicklung@finsterwalde.example.org',
    language: 'de',
  },
  {
    ags: AGS.grossraeschen,
    fullName: 'Jane Doe',
    role: 'Economic development',
    email: 'economy@grossraeschen.example.org',
    language: 'en',
  },
  {
    ags: AGS.lauchhammer,
    fullName: 'Uwe Schmidt',
    role: 'Kämmerei',
    email: 'kaemmerei@lauchhammer.example.org',
    language: 'de',
  },
  {
    ags: AGS.schwarzheide,
    fullName: 'Petra Wagner',
    role: 'Bürgermeisterbüro',
    email: 'buergermeister@schwarzheide.example.org',
    language: 'de',
  },
  {
    ags: AGS.schipkau,
    fullName: 'Martin Böhme',
    role: 'Hauptamt',
    email: 'hauptamt@schipkau.example.org',
    language: 'de',
  },
];

const MANAGER: ActorDto = { userId: randomUUID(), role: 'program_manager', municipalityId: null };
const OFFICER_A: ActorDto = { userId: randomUUID(), role: 'funding_officer', municipalityId: null };
const OFFICER_B: ActorDto = { userId: randomUUID(), role: 'funding_officer', municipalityId: null };

/** The money: 90 % of the eligible cost is the cap; the request stays just below it, an odd number of cents. */
const ELIGIBLE_CENTS = 1_200_000_000;
const REQUESTED_CENTS = 1_077_777_777;
const LEAD_SHARE = 6000;
const PARTNER_SHARE = 1000;
const FOUR_EYES_THRESHOLD_CENTS = 100_000_000;

/** The status changes each municipality of the proposal hears of, by template key and by CloudEvent type. */
const STATUS_CHANGES: Record<string, string> = {
  'proposal.submitted': 'projects.proposal.submitted.v1',
  'proposal.review-started': 'projects.proposal.review-started.v1',
  'proposal.endorsed': 'projects.proposal.endorsed.v1',
  'allocation.approved': 'funding.allocation.approved.v1',
  'proposal.approved': 'projects.proposal.approved.v1',
  'allocation.committed': 'funding.allocation.committed.v1',
  'proposal.implementation-started': 'projects.proposal.implementation-started.v1',
};
const REPORT_CHANGES: Record<string, string> = {
  'report.scheduled': 'projects.report.scheduled.v1',
  'report.due-soon': 'projects.report.due-soon.v1',
};
const GERMAN_SUBJECTS: Record<string, string> = {
  'proposal.submitted': `Projekt „${TITLE}“: eingereicht`,
  'proposal.review-started': `Projekt „${TITLE}“: in Prüfung`,
  'proposal.endorsed': `Projekt „${TITLE}“: befürwortet`,
  'allocation.approved': `Förderung bewilligt: „${TITLE}“`,
  'proposal.approved': `Projekt „${TITLE}“: bewilligt`,
  'allocation.committed': `Zuwendungsbescheid erteilt: „${TITLE}“`,
  'proposal.implementation-started': `Projekt „${TITLE}“: in Umsetzung`,
  'report.scheduled': `Berichtspflicht: „${TITLE}“`,
  'report.due-soon': `Bericht bald fällig: „${TITLE}“`,
};
const ENGLISH_SUBJECTS: Record<string, string> = {
  'proposal.submitted': `Project "${TITLE}": submitted`,
  'proposal.review-started': `Project "${TITLE}": in review`,
  'proposal.endorsed': `Project "${TITLE}": endorsed`,
  'allocation.approved': `Funding approved: "${TITLE}"`,
  'proposal.approved': `Project "${TITLE}": approved`,
  'allocation.committed': `Grant decision issued: "${TITLE}"`,
  'proposal.implementation-started': `Project "${TITLE}": in implementation`,
  'report.scheduled': `Report due: "${TITLE}"`,
  'report.due-soon': `Report due soon: "${TITLE}"`,
};

/** Today and calendar days from it, as the platform counts them (Germany). */
const berlinDate = (offsetDays = 0): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(
    new Date(Date.now() + offsetDays * 86_400_000),
  );

/** Euros as the reports write them: integer cents to `1234.56`, never through floating point. */
const euros = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
}

/**
 * A municipality's webhook receiver, written from the Standard Webhooks specification (not with the platform's
 * code): it checks every request against the secret registered for its path and answers 401 to one it cannot verify.
 * One HTTP server; each municipality gets its own path and secret.
 */
async function startVerifyingReceiver() {
  const secrets = new Map<string, string>();
  const received = new Map<string, ReceivedHook[]>();
  const verify = (secret: string | undefined, headers: IncomingHttpHeaders, body: string): boolean => {
    const id = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    const signatures = headers['webhook-signature'];
    if (!secret || typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string')
      return false;
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = Buffer.from(
      `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
    );
    return signatures
      .split(' ')
      .some((s) => Buffer.byteLength(s) === expected.length && timingSafeEqual(Buffer.from(s), expected));
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = req.method === 'POST' && verify(secrets.get(path), req.headers, body);
      received.set(path, [...(received.get(path) ?? []), { headers: req.headers, body, verified }]);
      res.statusCode = verified ? 204 : 401;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    pathOf: (ags: string) => `/hooks/${ags}`,
    urlOf: (ags: string) => `http://127.0.0.1:${port}/hooks/${ags}`,
    secrets,
    /** What arrived for a municipality: the CloudEvents, with whether each one verified. */
    eventsOf: (ags: string) =>
      (received.get(`/hooks/${ags}`) ?? []).map((r) => ({
        ...r,
        event: JSON.parse(r.body) as CloudEvent<Record<string, unknown>>,
      })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The story the platform exists for, end to end through the public API, with all four services and the gateway in
 * this process on one NATS prefix, a real SMTP server and a real webhook receiver: the RWK Westlausitz proposes the
 * Niederlausitzhalle, a funding officer reviews and endorses it, two officers approve the allocation above the
 * four-eyes threshold, the grant decision follows; every municipality of the project hears of every change in-app,
 * each contact by e-mail in their language, and each municipality's webhook — exactly once; Schipkau joins the
 * cooperation (and hears nothing of a project it is not part of); a report falls due and the reminder arrives; the
 * monthly report shows the money by municipality.
 */
describe('the Lausitz story: RWK Westlausitz and the Niederlausitzhalle Senftenberg', () => {
  jest.setTimeout(60_000);
  let smtp: MailCatcher;
  let hooks: Awaited<ReturnType<typeof startVerifyingReceiver>>;
  let reportsDir: string;
  let municipalities: TestService;
  let projects: TestService;
  let funding: TestService;
  let notifications: TestService;
  let gateway: TestGateway;
  let admin: Send;
  const as = (actor: ActorDto): Send => gateway.sendAs(actor);
  const ids: Record<string, string> = {};
  const accountOf = (ags: string): ActorDto => ({
    userId: randomUUID(),
    role: 'municipality',
    municipalityId: ids[ags],
  });
  const contacts: ContactDto[] = [];
  let programme: ProgrammeDto;
  let cooperation: CooperationDto;
  let proposal: ProposalDto;
  let allocation: AllocationDto;

  const inboxOf = async (actor: ActorDto) =>
    ((await as(actor)('GET', '/api/v1/notifications?limit=100')).body as unknown as NotificationPageDto)
      .items;
  const aboutProject = (items: NotificationDto[]) => items.filter((n) => n.proposalId === proposal.id);
  const mailsTo = (email: string) =>
    smtp.mails.filter((m) => m.to.includes(email) && m.subject.includes(TITLE));
  const ok = async (
    answer: Promise<{ status: number; body: Record<string, unknown> | null }>,
    status = 200,
  ) => {
    const { status: got, body } = await answer;
    expect({ status: got, body }).toEqual({ status, body: expect.anything() });
    return body as unknown;
  };
  const step = async (actor: ActorDto, action: string, body: object = {}) =>
    (await ok(as(actor)('POST', `/api/v1/projects/${proposal.id}/${action}`, body))) as ProposalDto;
  const proposalNow = async () =>
    (await as(MANAGER)('GET', `/api/v1/projects/${proposal.id}`)).body as unknown as ProposalDto;

  /** Waits until every municipality of the project has each of `keys` in-app, e-mailed and posted to its webhook. */
  const everyChannelHas = (keys: Record<string, string>, what: string) =>
    waitFor(
      async () => {
        for (const ags of PROJECT_MUNICIPALITIES) {
          const inApp = new Set(aboutProject(await inboxOf(accountOf(ags))).map((n) => n.templateKey));
          if (!Object.keys(keys).every((k) => inApp.has(k))) return false;
          const types = new Set(hooks.eventsOf(ags).map((h) => h.event.type));
          if (!Object.values(keys).every((t) => types.has(t))) return false;
        }
        for (const contact of CONTACTS.filter((c) => PROJECT_MUNICIPALITIES.includes(c.ags))) {
          const subjects = new Set(mailsTo(contact.email).map((m) => m.subject));
          const expected = contact.language === 'de' ? GERMAN_SUBJECTS : ENGLISH_SUBJECTS;
          if (!Object.keys(keys).every((k) => subjects.has(expected[k]))) return false;
        }
        return true;
      },
      { what, timeoutMs: 20_000, intervalMs: 100 },
    );

  /** Per municipality and channel, each of `keys` exactly once (and nothing else about the project). */
  const expectExactlyOnce = async (keys: Record<string, string>) => {
    for (const ags of PROJECT_MUNICIPALITIES) {
      const inApp = aboutProject(await inboxOf(accountOf(ags)));
      expect([ags, inApp.map((n) => n.templateKey).sort()]).toEqual([ags, Object.keys(keys).sort()]);
      expect(inApp.every((n) => n.recipientKind === 'municipality' && n.recipientId === ids[ags])).toBe(true);
      const delivered = hooks.eventsOf(ags);
      expect([ags, delivered.map((h) => h.event.type).sort()]).toEqual([ags, Object.values(keys).sort()]);
      expect([ags, delivered.filter((h) => !h.verified)]).toEqual([ags, []]);
      expect(new Set(delivered.map((h) => h.headers['webhook-id'])).size).toBe(delivered.length);
    }
    for (const contact of CONTACTS.filter((c) => PROJECT_MUNICIPALITIES.includes(c.ags))) {
      const mails = mailsTo(contact.email);
      const expected = contact.language === 'de' ? GERMAN_SUBJECTS : ENGLISH_SUBJECTS;
      expect([contact.email, mails.map((m) => m.subject).sort()]).toEqual([
        contact.email,
        Object.keys(keys)
          .map((k) => expected[k])
          .sort(),
      ]);
      expect(new Set(mails.map((m) => m.messageId)).size).toBe(mails.length);
    }
  };

  beforeAll(async () => {
    smtp = await startMailCatcher();
    hooks = await startVerifyingReceiver();
    reportsDir = await mkdtemp(join(tmpdir(), 'wandelwerk-lausitz-'));
    municipalities = await startTestService(MunicipalitiesSettings, municipalitiesBlueprint);
    const prefix = { NATS_PREFIX: municipalities.topo.prefix };
    projects = await startTestService(ProjectsSettings, projectsBlueprint, prefix);
    funding = await startTestService(FundingSettings, fundingBlueprint, {
      ...prefix,
      REPORTS_DIR: reportsDir,
    });
    notifications = await startTestService(NotificationsSettings, notificationsBlueprint, {
      ...prefix,
      SMTP_URL: smtp.url,
      PUBLIC_API_URL: 'https://wandelwerk.example',
      // The webhook receiver of this test listens on loopback.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      DELIVERY_BACKOFF_MS: '50',
      DISPATCH_POLL_MS: '200',
    });
    gateway = await startTestGateway(municipalities.topo.prefix);
    admin = gateway.send;

    // The registry: the real municipalities of the coal regions.
    const imported = await admin('POST', '/api/v1/municipalities/import', demoCsv, {
      'content-type': 'text/csv',
    });
    expect(imported.status).toBe(200);
    const listed = (await admin('GET', '/api/v1/municipalities?limit=100'))
      .body as unknown as Page<MunicipalityDto>;
    for (const m of listed.items) ids[m.ags] = m.id;
    for (const c of CONTACTS) {
      const { ags, ...contact } = c;
      contacts.push(
        (await ok(admin('POST', `/api/v1/municipalities/${ids[ags]}/contacts`, contact), 201)) as ContactDto,
      );
    }
    // InvKG Arm 1 Brandenburg: 90 %, four eyes from EUR 1,000,000, a budget line per year.
    programme = (await ok(
      admin('POST', '/api/v1/funding/programmes', {
        code: 'INVKG-BB',
        name: 'InvKG Arm 1 Brandenburg',
        legalBasis: 'Investitionsgesetz Kohleregionen (InvKG), § 3',
        maxFundingRateBasisPoints: 9000,
        fundingPeriod: { firstYear: 2020, lastYear: 2038 },
        eligibleStateCodes: ['12'],
        eligibleRegions: ['lausitz'],
        fourEyesThresholdCents: FOUR_EYES_THRESHOLD_CENTS,
      }),
      201,
    )) as ProgrammeDto;
    for (const year of [2026, 2027, 2028])
      await ok(
        admin('POST', `/api/v1/funding/programmes/${programme.id}/budget/amendments`, {
          kind: 'raise',
          year,
          amountCents: 1_000_000_000,
          reason: `Haushaltsplan ${year}`,
        }),
        201,
      );
    await waitFor(
      async () =>
        (await projects.db.query(`SELECT 1 FROM projects.programme_read_model WHERE code = 'INVKG-BB'`))
          .length === 1 &&
        (await projects.db.query(`SELECT 1 FROM projects.municipality_read_model`)).length ===
          listed.items.length &&
        (await notifications.db.query(`SELECT 1 FROM notifications.municipality_read_model`)).length ===
          listed.items.length &&
        (await notifications.db.query(`SELECT 1 FROM notifications.contact_read_model`)).length ===
          CONTACTS.length,
      { what: 'the read models of projects and notifications', timeoutMs: 20_000 },
    );
    // Each municipality's council information system takes the events by webhook (Schipkau's too).
    for (const ags of [...PROJECT_MUNICIPALITIES, AGS.schipkau]) {
      const created = (await ok(
        as(accountOf(ags))('POST', `/api/v1/municipalities/${ids[ags]}/webhooks`, {
          url: hooks.urlOf(ags),
          description: 'Ratsinformationssystem',
        }),
        201,
      )) as WebhookWithSecretDto;
      hooks.secrets.set(hooks.pathOf(ags), created.secret);
    }
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    await notifications?.dispose();
    await funding?.dispose();
    await projects?.dispose();
    await municipalities?.dispose();
    await smtp?.close();
    await hooks?.close();
    if (reportsDir) await rm(reportsDir, { recursive: true, force: true });
  });

  it('the RWK Westlausitz: Finsterwalde, Großräschen, Lauchhammer, Schwarzheide, Senftenberg', async () => {
    cooperation = (await ok(
      admin('POST', '/api/v1/cooperations', {
        name: 'Regionaler Wachstumskern Westlausitz',
        kind: 'regional-growth-core',
        memberIds: PROJECT_MUNICIPALITIES.map((ags) => ids[ags]),
        startDate: '2005-11-22',
      }),
      201,
    )) as CooperationDto;
    expect(cooperation.memberships.map((m) => m.name).sort()).toEqual(
      ['Finsterwalde', 'Großräschen', 'Lauchhammer', 'Schwarzheide', 'Senftenberg'].sort(),
    );
  });

  it('a program manager submits the Niederlausitzhalle, led by Senftenberg with the four partners', async () => {
    const created = await ok(
      as(MANAGER)('POST', '/api/v1/projects', {
        title: TITLE,
        summary:
          'Energetische Sanierung der Niederlausitzhalle und Erweiterung zum Veranstaltungs- und Kongresszentrum der Region.',
        description: 'Gemeinsames Vorhaben des RWK Westlausitz.',
        workshop: 'culture-tourism-marketing',
        programmeCode: 'INVKG-BB',
        leadMunicipality: { municipalityId: ids[AGS.senftenberg], costShareBasisPoints: LEAD_SHARE },
        partners: PARTNERS.map((ags) => ({ municipalityId: ids[ags], costShareBasisPoints: PARTNER_SHARE })),
        totalCostCents: 1_350_000_000,
        eligibleCostCents: ELIGIBLE_CENTS,
        requestedFundingCents: REQUESTED_CENTS,
        costPlan: [
          { year: 2026, amountCents: 300_000_000 },
          { year: 2027, amountCents: 600_000_000 },
          { year: 2028, amountCents: 300_000_000 },
        ],
        plannedStart: '2026-01-01',
        plannedEnd: '2028-12-31',
        indicators: [],
      }),
      201,
    );
    proposal = created as ProposalDto;
    expect(proposal.status).toBe('draft');
    proposal = await step(MANAGER, 'submit');
    expect(proposal.status).toBe('submitted');
  });

  it('a funding officer reviews and endorses it; the allocation above the threshold needs and gets two officers', async () => {
    proposal = await step(OFFICER_A, 'start-review', { reviewDueDate: berlinDate(14) });
    expect(proposal.status).toBe('in-review');
    const review = (await ok(
      as(OFFICER_A)('POST', `/api/v1/projects/${proposal.id}/reviews`, {
        votum: 'endorse',
        scores: { regionalValueAdded: 5, jobs: 3, sustainability: 4, cooperation: 5, feasibility: 4 },
        comment: 'Überregional bedeutsam, von fünf Städten getragen.',
      }),
      201,
    )) as { id: string };
    proposal = await step(OFFICER_A, 'endorse', { reviewId: review.id });
    expect(proposal.status).toBe('endorsed');

    allocation = await waitFor(
      async () =>
        (
          (await as(OFFICER_A)('GET', `/api/v1/funding/allocations?proposalId=${proposal.id}`))
            .body as unknown as Page<AllocationDto>
        ).items[0],
      { what: 'the allocation request' },
    );
    expect(allocation).toMatchObject({
      status: 'requested',
      amountCents: REQUESTED_CENTS,
      approvalsRequired: 2,
      programmeCode: 'INVKG-BB',
    });
    const path = `/api/v1/funding/allocations/${allocation.id}`;
    allocation = (await ok(
      as(OFFICER_A)('POST', `${path}/approve`, { comment: 'Erste Prüfung' }),
    )) as AllocationDto;
    expect(allocation.status).toBe('requested');
    expect(allocation.approvals.map((a) => a.approverUserId)).toEqual([OFFICER_A.userId]);
    // Four eyes: the same officer cannot give the second approval.
    const again = await as(OFFICER_A)('POST', `${path}/approve`, {});
    expect([again.status, again.body?.['code']]).toEqual([409, 'funding.second-approver-required']);
    allocation = (await ok(
      as(OFFICER_B)('POST', `${path}/approve`, { comment: 'Zweite Prüfung' }),
    )) as AllocationDto;
    expect(allocation.status).toBe('approved');
    expect(allocation.approvals.map((a) => a.approverUserId).sort()).toEqual(
      [OFFICER_A.userId, OFFICER_B.userId].sort(),
    );
    proposal = await waitFor(
      async () => {
        const p = await proposalNow();
        return p.status === 'approved' ? p : null;
      },
      { what: 'the proposal approved' },
    );
  });

  it('the grant decision is issued and the project starts', async () => {
    allocation = (await ok(
      as(OFFICER_B)('POST', `/api/v1/funding/allocations/${allocation.id}/commit`, {
        grantDecisionDate: berlinDate(),
        grantReference: '80-2026-0417',
      }),
    )) as AllocationDto;
    expect(allocation).toMatchObject({ status: 'committed', grantReference: '80-2026-0417' });
    proposal = await step(MANAGER, 'start-implementation', { startedOn: berlinDate() });
    expect(proposal.status).toBe('in-implementation');
  });

  it('every municipality of the project hears of every status change in-app, each contact by e-mail, each webhook — once', async () => {
    await everyChannelHas(STATUS_CHANGES, 'the status changes on every channel');
    await expectExactlyOnce(STATUS_CHANGES);
    // In the contact's language: the English contact of Großräschen reads English, the others German.
    const english = mailsTo('economy@grossraeschen.example.org').find(
      (m) => m.subject === ENGLISH_SUBJECTS['proposal.approved'],
    );
    expect(english?.text).toContain('Approved funding: €10,777,777.77.');
    // The program manager hears of what the others did (not of their own submission and start).
    const owner = aboutProject(await inboxOf(MANAGER)).map((n) => n.templateKey);
    expect(owner.sort()).toEqual(
      [
        'allocation.approved',
        'allocation.committed',
        'proposal.approved',
        'proposal.endorsed',
        'proposal.review-started',
      ].sort(),
    );
  });

  it('Schipkau joins the cooperation, and hears nothing of a project it is not part of', async () => {
    const joined = berlinDate();
    cooperation = (await ok(
      admin('POST', `/api/v1/cooperations/${cooperation.id}/members`, {
        municipalityId: ids[AGS.schipkau],
        startDate: joined,
      }),
    )) as CooperationDto;
    const current = cooperation.memberships.filter((m) => m.endDate === null);
    expect(current.map((m) => m.ags).sort()).toEqual([...PROJECT_MUNICIPALITIES, AGS.schipkau].sort());
    expect(cooperation.memberships.find((m) => m.ags === AGS.schipkau)).toMatchObject({
      name: 'Schipkau',
      startDate: joined,
      endDate: null,
    });
    const ofSchipkau = (await admin('GET', `/api/v1/cooperations?municipalityId=${ids[AGS.schipkau]}`))
      .body as unknown as Page<CooperationDto>;
    expect(ofSchipkau.items.map((c) => c.id)).toEqual([cooperation.id]);

    expect(aboutProject(await inboxOf(accountOf(AGS.schipkau)))).toEqual([]);
    expect(mailsTo('hauptamt@schipkau.example.org')).toEqual([]);
    expect(hooks.eventsOf(AGS.schipkau)).toEqual([]);
  });

  it('a report falls due: the reminder reaches every municipality of the project, its contacts and webhooks', async () => {
    const dueDate = berlinDate(7);
    // Due within REPORT_DUE_SOON_DAYS (14): the due-soon job is due at once.
    const report = (await ok(
      as(OFFICER_A)('POST', `/api/v1/projects/${proposal.id}/reports`, {
        kind: 'interim',
        title: 'Zwischenbericht Bauabschnitt 1',
        dueDate,
      }),
      201,
    )) as ReportObligationDto;
    expect(report).toMatchObject({ status: 'open', dueDate, remindedAt: null });
    await everyChannelHas(REPORT_CHANGES, 'the report scheduled and its reminder on every channel');
    await expectExactlyOnce({ ...STATUS_CHANGES, ...REPORT_CHANGES });
    const reminder = aboutProject(await inboxOf(accountOf(AGS.senftenberg))).find(
      (n) => n.templateKey === 'report.due-soon',
    );
    // Seven days, or six if Berlin's midnight passed since the due date was chosen.
    expect(reminder?.body).toMatch(/ist in [67] Tag\(en\) fällig/);
    const reports = (await as(MANAGER)('GET', `/api/v1/projects/${proposal.id}/reports`))
      .body as unknown as ReportObligationDto[];
    expect(reports.find((r) => r.id === report.id)?.remindedAt).toEqual(expect.any(String));
    // The owner is reminded in-app too.
    expect(
      aboutProject(await inboxOf(MANAGER)).filter((n) => n.templateKey === 'report.due-soon'),
    ).toHaveLength(1);
  });

  it('the monthly report shows the money by municipality: Senftenberg’s lead share and each partner’s', async () => {
    // The monthly job, as the schedule starts it on the 1st: one report per kind over every programme and year.
    await funding.service.app.get(BackgroundJobs).queue('funding-reports').add('monthly', {});
    const monthly = await waitFor(
      async () => {
        const page = (await as(OFFICER_A)('GET', '/api/v1/funding/reports?trigger=monthly&limit=10'))
          .body as unknown as Page<FundingReportDto>;
        return page.items.length === 3 && page.items.every((r) => r.status === 'done') ? page.items : null;
      },
      { what: 'the monthly reports done', timeoutMs: 20_000, intervalMs: 200 },
    );
    const report = monthly.find((r) => r.kind === 'municipalities')!;
    const download = await fetch(`${gateway.url}/api/v1/funding/reports/${report.id}/download`, {
      headers: gateway.headersFor(OFFICER_A),
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = parse(await download.text(), { bom: true });
    const column = (name: string) => {
      const index = header.indexOf(name);
      expect([name, index >= 0]).toEqual([name, true]);
      return index;
    };
    const byAgs = new Map(rows.map((r) => [r[column('AGS')], r]));
    // A partner's part is floor(amount × share / 10000); the lead gets the rest, so the parts add up to the cent.
    const partnerCents = Math.floor((REQUESTED_CENTS * PARTNER_SHARE) / 10_000);
    const leadCents = REQUESTED_CENTS - PARTNERS.length * partnerCents;
    expect(leadCents).toBe(646_666_669);
    const lead = byAgs.get(AGS.senftenberg)!;
    expect({
      programme: lead[column('Programmcode')],
      name: lead[column('Kommune')],
      leadProjects: lead[column('Federführend: Vorhaben')],
      leadApproved: lead[column('Federführend: bewilligt (EUR)')],
      partnerApproved: lead[column('Partner: bewilligt (EUR)')],
      total: lead[column('Gesamt: bewilligt (EUR)')],
      paid: lead[column('Gesamt: ausgezahlt (EUR)')],
    }).toEqual({
      programme: 'INVKG-BB',
      name: 'Senftenberg',
      leadProjects: '1',
      leadApproved: euros(leadCents),
      partnerApproved: euros(0),
      total: euros(leadCents),
      paid: euros(0),
    });
    for (const ags of PARTNERS) {
      const row = byAgs.get(ags);
      expect([
        ags,
        row?.[column('Partner: Vorhaben')],
        row?.[column('Partner: bewilligt (EUR)')],
        row?.[column('Federführend: bewilligt (EUR)')],
        row?.[column('Gesamt: bewilligt (EUR)')],
      ]).toEqual([ags, '1', euros(partnerCents), euros(0), euros(partnerCents)]);
    }
    // Only the project's municipalities hold money (Schipkau joined the cooperation, not the project).
    expect([...byAgs.keys()].sort()).toEqual([...PROJECT_MUNICIPALITIES].sort());
    // And the money adds up to what the ledger reserved.
    const ledger = (await as(OFFICER_A)('GET', `/api/v1/funding/programmes/${programme.id}/budget`)).body as {
      totals: { reservedCents: number };
    };
    expect(ledger.totals.reservedCents).toBe(REQUESTED_CENTS);
  });

  it('in the end every delivery succeeded, and nothing arrived twice', async () => {
    const open = await notifications.db.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM notifications.delivery GROUP BY status ORDER BY status`,
    );
    expect(open.filter((r) => r.status !== 'succeeded')).toEqual([]);
    await expectExactlyOnce({ ...STATUS_CHANGES, ...REPORT_CHANGES });
  });
});
