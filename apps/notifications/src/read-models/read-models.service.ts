import { Injectable } from '@nestjs/common';
import type { CloudEvent, ProposalDetails } from '@wandelwerk/contracts';
import type { EntityManager } from 'typeorm';
import type { PlanLookups } from '../recipients/notification-plan.js';

type Data = Record<string, unknown>;

const uuids = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/**
 * What the service keeps of others' data, from their events: municipalities, contacts (e-mail and language),
 * proposals (owner, programme, lead and partners, status and since when) and the funding officers seen acting on a
 * programme. Each snapshot carries its aggregate's version; an older one changes nothing, so redeliveries and
 * overtaking events are harmless.
 */
@Injectable()
export class ReadModels {
  async apply(manager: EntityManager, event: CloudEvent): Promise<void> {
    const data = event.data as Data;
    switch (event.type) {
      case 'municipalities.municipality.registered.v1':
      case 'municipalities.municipality.updated.v1':
      case 'municipalities.municipality.deactivated.v1':
        await manager.query(
          `INSERT INTO notifications.municipality_read_model (id, ags, name, active, version)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET ags = excluded.ags, name = excluded.name, active = excluded.active,
             version = excluded.version
           WHERE notifications.municipality_read_model.version < excluded.version`,
          [
            event.subject,
            data['ags'],
            data['name'],
            event.type.endsWith('deactivated.v1') ? false : data['active'],
            data['version'],
          ],
        );
        return;
      case 'municipalities.contact.added.v1':
      case 'municipalities.contact.updated.v1':
        await this.upsertContact(manager, event.subject, data, true);
        return;
      case 'municipalities.contact.removed.v1':
        await this.upsertContact(manager, event.subject, data, false);
        return;
    }
    if (event.type.startsWith('projects.proposal.') && isProposalDetails(data['proposal'])) {
      await this.upsertProposal(manager, event, data);
      if (event.type === 'projects.proposal.review-started.v1')
        await this.addOfficers(manager, data['proposal'].programmeCode, [data['actorUserId']]);
      return;
    }
    if (event.type.startsWith('funding.')) {
      const code = (data['programmeCode'] ?? data['code']) as string | undefined;
      if (!code) return;
      await this.addOfficers(manager, code, [
        data['actorUserId'],
        data['approverUserId'],
        ...uuids(data['approverUserIds']),
        ...uuids(data['officerUserIds']),
      ]);
    }
  }

  /** The lookups the recipient planner uses, inside the event's transaction. */
  lookups(manager: EntityManager): PlanLookups {
    return {
      proposal: async (proposalId) => {
        const [row] = await manager.query<{ owner_user_id: string; programme_code: string }[]>(
          `SELECT owner_user_id, programme_code FROM notifications.proposal_read_model WHERE id = $1`,
          [proposalId],
        );
        return row ? { ownerUserId: row.owner_user_id, programmeCode: row.programme_code } : null;
      },
      officers: async (programmeCode) =>
        (
          await manager.query<{ user_id: string }[]>(
            `SELECT user_id FROM notifications.programme_officer WHERE programme_code = $1 ORDER BY user_id`,
            [programmeCode],
          )
        ).map((row) => row.user_id),
    };
  }

  private async upsertContact(
    manager: EntityManager,
    id: string,
    data: Data,
    active: boolean,
  ): Promise<void> {
    if (!active) {
      await manager.query(
        `UPDATE notifications.contact_read_model SET active = false, version = $2 WHERE id = $1 AND version < $2`,
        [id, data['version']],
      );
      return;
    }
    await manager.query(
      `INSERT INTO notifications.contact_read_model (id, municipality_id, full_name, email, language, active, version)
       VALUES ($1, $2, $3, $4, $5, true, $6)
       ON CONFLICT (id) DO UPDATE SET municipality_id = excluded.municipality_id, full_name = excluded.full_name,
         email = excluded.email, language = excluded.language, active = true, version = excluded.version
       WHERE notifications.contact_read_model.version < excluded.version`,
      [id, data['municipalityId'], data['fullName'], data['email'], data['language'], data['version']],
    );
  }

  private async upsertProposal(manager: EntityManager, event: CloudEvent, data: Data): Promise<void> {
    const proposal = data['proposal'] as ProposalDetails;
    const status = (data['toStatus'] ?? data['status']) as string;
    await manager.query(
      `INSERT INTO notifications.proposal_read_model (id, title, programme_code, owner_user_id, lead_municipality_id,
         partner_municipality_ids, status, status_since, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET title = excluded.title, programme_code = excluded.programme_code,
         owner_user_id = excluded.owner_user_id, lead_municipality_id = excluded.lead_municipality_id,
         partner_municipality_ids = excluded.partner_municipality_ids, status = excluded.status,
         status_since = CASE WHEN notifications.proposal_read_model.status = excluded.status
           THEN notifications.proposal_read_model.status_since ELSE excluded.status_since END,
         version = excluded.version
       WHERE notifications.proposal_read_model.version < excluded.version`,
      [
        event.subject,
        proposal.title,
        proposal.programmeCode,
        proposal.ownerUserId,
        proposal.leadMunicipality.municipalityId,
        proposal.partners.map((p) => p.municipalityId),
        status,
        event.time,
        data['version'],
      ],
    );
  }

  private async addOfficers(manager: EntityManager, programmeCode: string, ids: unknown[]): Promise<void> {
    const userIds = [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
    if (userIds.length === 0) return;
    await manager.query(
      `INSERT INTO notifications.programme_officer (programme_code, user_id)
       SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [programmeCode, userIds],
    );
  }
}

function isProposalDetails(value: unknown): value is ProposalDetails {
  return typeof value === 'object' && value !== null && 'ownerUserId' in value && 'leadMunicipality' in value;
}
