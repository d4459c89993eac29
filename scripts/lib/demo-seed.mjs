// The demo's programmes, cooperations, contacts, proposals and webhook (data/demo/demo.json), created through the
// public API of the running platform as the demo users of data/demo/accounts.json would create them. Idempotent:
// everything is looked up first and only what is missing is created; a proposal is taken from wherever it stands
// towards its target state (so an interrupted run resumes) and never back. What other services do in reaction to an
// event (a read model, an allocation request, a proposal approved by the funding service) is waited for by polling
// the API, with a timeout.
import net from 'node:net';

/** The steps a demo proposal goes through, in order; `target` names the last one to take. */
const PATH = ['draft', 'submitted', 'in-review', 'endorsed', 'approved', 'in-implementation'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class ApiError extends Error {
  constructor(method, path, status, body) {
    const detail =
      body && typeof body === 'object' ? ` ${body.code ?? ''} ${body.detail ?? ''}`.trimEnd() : '';
    super(`${method} ${path} answered ${status}${detail}`);
    this.status = status;
    this.body = body;
  }
}

/** Calendar dates in Germany, as the platform counts due days: today, or `days` from today. */
export function berlinDate(days = 0, now = Date.now()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(
    new Date(now + days * 86_400_000),
  );
}

/** Polls `probe` until it returns something truthy; throws naming `what` after `timeoutMs`. */
export async function until(probe, what, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${last.message}` : ''}`,
      );
    await sleep(intervalMs);
  }
}

/** One signed-in demo user: JSON in and out, signs in again once when the access token has expired. */
class Session {
  constructor(baseUrl, email, password) {
    this.baseUrl = baseUrl;
    this.email = email;
    this.password = password;
    this.token = null;
  }

  async login() {
    const response = await fetch(`${this.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: this.email, password: this.password }),
    });
    const body = await response.json().catch(() => null);
    if (response.status !== 200)
      throw new ApiError('POST', `/api/v1/auth/login (${this.email})`, response.status, body);
    this.token = body.accessToken;
    const me = await this.call('GET', '/api/v1/auth/me');
    this.userId = me.id;
    return this;
  }

  async call(method, path, body) {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      const parsed = text ? JSON.parse(text) : null;
      if (response.status === 401 && attempt === 0) {
        await this.login();
        continue;
      }
      if (response.status >= 400) throw new ApiError(method, path, response.status, parsed);
      return parsed;
    }
  }
}

/**
 * Calls `fn` again while it fails with what another service has not caught up with yet (a read model that does not
 * know a municipality or programme yet, a service not answering yet); anything else fails at once.
 */
async function retryingWhile(isCatchingUp, fn, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      const waiting =
        error instanceof ApiError && (error.status === 503 || error.status === 504 || isCatchingUp(error));
      if (!waiting || Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

const problemCode = (error) => error.body?.code;
const brokenRules = (error) => (error.body?.errors ?? []).map((e) => e.rule);

/** Every item of a cursor-paginated list. */
async function listAll(session, path) {
  const items = [];
  let cursor = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await session.call(
      'GET',
      `${path}${separator}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** True if something accepts TCP connections at the URL's host and port. */
function listening(url) {
  const { hostname, port, protocol } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || (protocol === 'https:' ? 443 : 80)) });
    const done = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Seeds the demo into the platform answering at `baseUrl`. `definition` is data/demo/demo.json, `accounts` is
 * data/demo/accounts.json (their accounts must exist). `log(message)` reports progress. Resolves to counts of what was
 * created (all zero on a second run).
 */
export async function seedDemo({ baseUrl, definition, accounts, log = () => {}, timeoutMs = 60_000 }) {
  const accountOf = (role, index = 0) => {
    const account = accounts.accounts.filter((a) => a.role === role)[index];
    if (!account) throw new Error(`data/demo/accounts.json has no ${role} number ${index + 1}`);
    return new Session(baseUrl, account.email, accounts.password).login();
  };
  const admin = await accountOf('admin');
  const manager = await accountOf('program_manager');
  const officer = await accountOf('funding_officer', 0);
  const secondOfficer = await accountOf('funding_officer', 1);
  const created = {
    programmes: 0,
    budgetLines: 0,
    cooperations: 0,
    contacts: 0,
    proposals: 0,
    steps: 0,
    webhooks: 0,
  };

  // Municipalities: imported before the apps started; their ids by AGS.
  const ids = {};
  const municipalityId = async (ags) => {
    if (!ids[ags]) {
      const page = await admin.call('GET', `/api/v1/municipalities?ags=${ags}`);
      if (page.items.length === 0) throw new Error(`municipality ${ags} is not in the registry`);
      ids[ags] = page.items[0].id;
    }
    return ids[ags];
  };

  // Programmes and a budget line per year.
  const programmes = await listAll(admin, '/api/v1/funding/programmes');
  for (const { budget, ...programme } of definition.programmes) {
    let existing = programmes.find((p) => p.code === programme.code);
    if (!existing) {
      existing = await admin.call('POST', '/api/v1/funding/programmes', programme);
      created.programmes++;
    }
    const ledger = await admin.call('GET', `/api/v1/funding/programmes/${existing.id}/budget`);
    for (const line of budget) {
      if (ledger.years.some((y) => y.year === line.year)) continue;
      await admin.call('POST', `/api/v1/funding/programmes/${existing.id}/budget/amendments`, {
        kind: 'raise',
        year: line.year,
        amountCents: line.amountCents,
        reason: `Haushaltsplan ${line.year} (Demo)`,
      });
      created.budgetLines++;
    }
  }

  // Cooperations.
  for (const cooperation of definition.cooperations) {
    const existing = await listAll(admin, `/api/v1/cooperations?kind=${cooperation.kind}`);
    if (existing.some((c) => c.name === cooperation.name)) continue;
    const memberIds = [];
    for (const ags of cooperation.members) memberIds.push(await municipalityId(ags));
    await admin.call('POST', '/api/v1/cooperations', {
      name: cooperation.name,
      kind: cooperation.kind,
      memberIds,
      startDate: cooperation.startDate,
    });
    created.cooperations++;
  }

  // Contacts, known by their e-mail address per municipality.
  const contactPaths = [];
  for (const { ags, ...contact } of definition.contacts) {
    const id = await municipalityId(ags);
    const existing = await listAll(admin, `/api/v1/municipalities/${id}/contacts`);
    let found = existing.find((c) => c.email.toLowerCase() === contact.email.toLowerCase());
    if (!found) {
      found = await admin.call('POST', `/api/v1/municipalities/${id}/contacts`, contact);
      created.contacts++;
    }
    contactPaths.push(`/api/v1/municipalities/${id}/contacts/${found.id}`);
  }
  // The notifications service learns of contacts from their events; until it has, a proposal's changes would reach
  // the municipalities but not their contacts' mailboxes. Its preferences of a contact answer 404 until then.
  for (const path of contactPaths)
    await until(
      () => admin.call('GET', `${path}/notification-preferences`),
      `the notifications service to know ${path}`,
      timeoutMs,
    );

  // Proposals of the demo program manager, known by their title, each taken towards its target.
  const mine = await listAll(manager, '/api/v1/projects');
  for (const spec of definition.proposals) {
    let proposal = mine.find((p) => p.title === spec.title);
    if (!proposal) {
      const {
        target: _target,
        grantReference: _reference,
        reports: _reports,
        lead,
        partners,
        ...fields
      } = spec;
      const body = {
        ...fields,
        leadMunicipality: {
          municipalityId: await municipalityId(lead.ags),
          costShareBasisPoints: lead.costShareBasisPoints,
        },
        partners: await Promise.all(
          partners.map(async (p) => ({
            municipalityId: await municipalityId(p.ags),
            costShareBasisPoints: p.costShareBasisPoints,
          })),
        ),
      };
      // The projects service learns of the municipalities from their events; right after a first start it may not
      // know them yet.
      proposal = await retryingWhile(
        (e) => problemCode(e) === 'project.municipality-unknown',
        () => manager.call('POST', '/api/v1/projects', body),
        `the proposal "${spec.title}"`,
        timeoutMs,
      );
      created.proposals++;
    }
    created.steps += await advance(proposal, spec);
  }

  async function advance(proposal, spec) {
    const targetIndex = PATH.indexOf(spec.target);
    if (targetIndex < 0) throw new Error(`unknown target "${spec.target}" of "${spec.title}"`);
    const path = `/api/v1/projects/${proposal.id}`;
    let steps = 0;
    for (;;) {
      const index = PATH.indexOf(proposal.status);
      // Beyond the target, or off the path (withdrawn, rejected, revision requested): someone tried the demo out.
      if (index < 0 || index >= targetIndex) break;
      switch (proposal.status) {
        case 'draft':
          // Submitting checks the programme against the projects service's read model, which follows its events.
          proposal = await retryingWhile(
            (e) =>
              problemCode(e) === 'project.submit-rules-violated' &&
              brokenRules(e).every((rule) => ['knownProgramme', 'municipalityExists'].includes(rule)),
            () => manager.call('POST', `${path}/submit`, { comment: 'Mit allen Partnern abgestimmt.' }),
            `submitting "${spec.title}"`,
            timeoutMs,
          );
          break;
        case 'submitted':
          proposal = await officer.call('POST', `${path}/start-review`, { reviewDueDate: berlinDate(14) });
          break;
        case 'in-review': {
          // A review of this round recorded by an interrupted run is used, not recorded twice.
          const reviews = await officer.call('GET', `${path}/reviews`);
          const round = Math.max(0, ...reviews.map((r) => r.round));
          const endorsing =
            reviews.find((r) => r.votum === 'endorse' && r.round === round) ??
            (await officer.call('POST', `${path}/reviews`, {
              votum: 'endorse',
              scores: { regionalValueAdded: 5, jobs: 4, sustainability: 4, cooperation: 4, feasibility: 4 },
              comment: 'Strukturwirksam, gut vorbereitet; zur Förderung empfohlen.',
            }));
          proposal = await officer.call('POST', `${path}/endorse`, { reviewId: endorsing.id });
          break;
        }
        case 'endorsed': {
          await approveAllocation(proposal, spec);
          proposal = await until(
            async () => {
              const now = await manager.call('GET', path);
              return now.status !== 'endorsed' ? now : null;
            },
            `"${spec.title}" approved`,
            timeoutMs,
          );
          break;
        }
        case 'approved': {
          const allocation = await allocationOf(proposal, spec);
          if (allocation.status === 'approved') {
            await secondOfficer.call('POST', `/api/v1/funding/allocations/${allocation.id}/commit`, {
              grantDecisionDate: berlinDate(),
              grantReference:
                spec.grantReference ?? `80-${berlinDate().slice(0, 4)}-${proposal.id.slice(0, 4)}`,
            });
            steps++;
          }
          proposal = await manager.call('POST', `${path}/start-implementation`, { startedOn: berlinDate() });
          break;
        }
        default:
          throw new Error(`no demo step from "${proposal.status}"`);
      }
      steps++;
    }
    if (proposal.status === 'in-implementation' && spec.reports?.length) {
      const reports = await manager.call('GET', `${path}/reports`);
      for (const report of spec.reports) {
        if (reports.some((r) => r.title === report.title)) continue;
        await officer.call('POST', `${path}/reports`, {
          kind: report.kind,
          title: report.title,
          dueDate: berlinDate(report.dueInDays),
        });
        steps++;
      }
    }
    return steps;
  }

  /** The allocation the funding service opens on the endorsement (an event away). */
  async function allocationOf(proposal, spec) {
    return until(
      async () =>
        (await officer.call('GET', `/api/v1/funding/allocations?proposalId=${proposal.id}`)).items[0],
      `the allocation request of "${spec.title}"`,
      timeoutMs,
    );
  }

  /** The demo's funding officers approve: the first, and the second where four eyes are needed. */
  async function approveAllocation(proposal, spec) {
    let allocation = await allocationOf(proposal, spec);
    for (const approver of [officer, secondOfficer]) {
      if (allocation.status !== 'requested') break;
      if (allocation.approvals.some((a) => a.approverUserId === approver.userId)) continue;
      allocation = await approver.call('POST', `/api/v1/funding/allocations/${allocation.id}/approve`, {
        comment: approver === officer ? 'Fachlich geprüft.' : 'Zweite Prüfung (Vier-Augen-Prinzip).',
      });
    }
    if (allocation.status === 'requested')
      throw new Error(`the allocation of "${spec.title}" is still waiting for approvals`);
  }

  // A webhook, only where a receiver listens: the platform would otherwise try, fail and pause it.
  const webhooks = [];
  for (const hook of definition.webhooks ?? []) {
    if (!(await listening(hook.url))) {
      log(`no receiver at ${hook.url}: webhook of ${hook.ags} skipped`);
      continue;
    }
    const id = await municipalityId(hook.ags);
    // The notifications service knows a municipality once its registration event has arrived (404 before).
    const existing = await retryingWhile(
      (e) => e.status === 404,
      () => admin.call('GET', `/api/v1/municipalities/${id}/webhooks`),
    );
    if (existing.some((w) => w.url === hook.url)) continue;
    try {
      const webhook = await retryingWhile(
        (e) => e.status === 404,
        () =>
          admin.call('POST', `/api/v1/municipalities/${id}/webhooks`, {
            url: hook.url,
            description: hook.description,
          }),
        `the webhook of ${hook.ags}`,
        timeoutMs,
      );
      webhooks.push({ ags: hook.ags, url: hook.url, secret: webhook.secret });
      created.webhooks++;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      log(
        `webhook ${hook.url} of ${hook.ags} refused (${error.message}); for a receiver on this machine start with WEBHOOK_ALLOW_PRIVATE_TARGETS=true`,
      );
    }
  }
  return { created, webhooks };
}
