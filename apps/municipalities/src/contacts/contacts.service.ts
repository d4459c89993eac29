import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ContactAddedEvent,
  ContactRemovedEvent,
  ContactUpdatedEvent,
  CONTACT_SORT_FIELDS,
  mapPage,
  parseSort,
  type ActorDto,
  type AddContactDto,
  type ListContactsQueryDto,
  type Page,
  type ContactDto,
  type UpdateContactDto,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { fetchKeysetPage } from '@wandelwerk/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { MunicipalityEntity } from '../municipalities/municipality.entity.js';
import { MunicipalityProblems } from '../municipalities/municipality.problems.js';
import { ContactEntity } from './contact.entity.js';
import { ContactProblems } from './contact.problems.js';

const CONTACT_FIELDS = ['fullName', 'role', 'email', 'phone', 'language'] as const;

interface ContactRow {
  id: string;
  municipality_id: string;
  full_name: string;
  role: string;
  email: string;
  phone: string | null;
  language: 'de' | 'en';
  version: number;
  created_at: Date;
  updated_at: Date;
}

function toDto(c: ContactEntity): ContactDto {
  return {
    id: c.id,
    municipalityId: c.municipalityId,
    fullName: c.fullName,
    role: c.role,
    email: c.email,
    phone: c.phone,
    language: c.language,
    version: c.version,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

function snapshot(c: ContactEntity, actorUserId: string): Omit<ContactAddedEvent, never> {
  return {
    version: c.version,
    municipalityId: c.municipalityId,
    fullName: c.fullName,
    role: c.role,
    email: c.email,
    phone: c.phone,
    language: c.language,
    actorUserId,
  };
}

/** The contact persons of a municipality: who hears about its projects, in which language. */
@Injectable()
export class ContactsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
  ) {}

  async list(municipalityId: string, query: ListContactsQueryDto): Promise<Page<ContactDto>> {
    await this.municipalityOrFail(this.dataSource.manager, municipalityId);
    const sort = parseSort(query.sort, CONTACT_SORT_FIELDS) ?? [
      { field: 'fullName', direction: 'asc' as const },
    ];
    const page = await fetchKeysetPage<ContactRow>(this.dataSource, {
      from: 'municipalities.contact c',
      columns: 'c.*',
      filters: [[(p) => `c.municipality_id = ${p}`, municipalityId]],
      sort,
      sortColumns: { fullName: 'lower(c.full_name)', createdAt: 'c.created_at' },
      sortValues: {
        fullName: 'lower(c.full_name)',
        createdAt: `to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      },
      idColumn: 'c.id',
      cursor: query.cursor,
      limit: query.limit,
    });
    return mapPage(page, (row) =>
      toDto(
        Object.assign(new ContactEntity(), {
          id: row.id,
          municipalityId: row.municipality_id,
          fullName: row.full_name,
          role: row.role,
          email: row.email,
          phone: row.phone,
          language: row.language,
          version: row.version,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        }),
      ),
    );
  }

  async add(actor: ActorDto, municipalityId: string, input: AddContactDto): Promise<ContactDto> {
    return this.dataSource.transaction(async (manager) => {
      await this.municipalityOrFail(manager, municipalityId, true);
      const email = input.email.toLowerCase();
      if (await manager.exists(ContactEntity, { where: { municipalityId, email } }))
        throw ContactProblems.emailTaken(email);
      const now = new Date();
      const contact = manager.create(ContactEntity, {
        id: randomUUID(),
        municipalityId,
        fullName: input.fullName,
        role: input.role,
        email,
        phone: input.phone ?? null,
        language: input.language ?? 'de',
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(ContactEntity, contact);
      await this.outbox.publish(manager, {
        type: ContactAddedEvent.type,
        subject: contact.id,
        data: snapshot(contact, actor.userId),
      });
      return toDto(contact);
    });
  }

  async update(
    actor: ActorDto,
    municipalityId: string,
    contactId: string,
    patch: UpdateContactDto,
  ): Promise<ContactDto> {
    return this.dataSource.transaction(async (manager) => {
      const contact = await this.contactOrFail(manager, municipalityId, contactId);
      const next = { ...patch, ...(patch.email ? { email: patch.email.toLowerCase() } : {}) };
      if (next.email && next.email !== contact.email) {
        if (await manager.exists(ContactEntity, { where: { municipalityId, email: next.email } })) {
          throw ContactProblems.emailTaken(next.email);
        }
      }
      const changed = CONTACT_FIELDS.filter(
        (field) => next[field] !== undefined && next[field] !== contact[field],
      );
      if (changed.length === 0) return toDto(contact);
      for (const field of changed) (contact as unknown as Record<string, unknown>)[field] = next[field];
      contact.version += 1;
      contact.updatedAt = new Date();
      await manager.save(ContactEntity, contact);
      await this.outbox.publish(manager, {
        type: ContactUpdatedEvent.type,
        subject: contact.id,
        data: { ...snapshot(contact, actor.userId), changedFields: changed },
      });
      return toDto(contact);
    });
  }

  async remove(actor: ActorDto, municipalityId: string, contactId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const contact = await this.contactOrFail(manager, municipalityId, contactId);
      await manager.delete(ContactEntity, { id: contact.id });
      await this.outbox.publish(manager, {
        type: ContactRemovedEvent.type,
        subject: contact.id,
        data: { version: contact.version + 1, municipalityId, actorUserId: actor.userId },
      });
    });
  }

  private async municipalityOrFail(
    manager: EntityManager,
    id: string,
    lock = false,
  ): Promise<MunicipalityEntity> {
    const municipality = await manager.findOne(MunicipalityEntity, {
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!municipality) throw MunicipalityProblems.notFound(id);
    return municipality;
  }

  private async contactOrFail(
    manager: EntityManager,
    municipalityId: string,
    contactId: string,
  ): Promise<ContactEntity> {
    await this.municipalityOrFail(manager, municipalityId, true);
    const contact = await manager.findOne(ContactEntity, {
      where: { id: contactId, municipalityId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!contact) throw ContactProblems.notFound(contactId);
    return contact;
  }
}
