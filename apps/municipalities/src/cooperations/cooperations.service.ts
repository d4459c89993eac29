import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  CooperationCreatedEvent,
  CooperationMemberJoinedEvent,
  CooperationMemberLeftEvent,
  COOPERATION_SORT_FIELDS,
  parseSort,
  type ActorDto,
  type CooperationDto,
  type ListCooperationsQueryDto,
  type Page,
  type CreateCooperationDto,
  type JoinCooperationDto,
  type LeaveCooperationDto,
  type MunicipalityRef,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { fetchKeysetPage, when } from '@wandelwerk/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, In, IsNull, type EntityManager } from 'typeorm';
import { MunicipalityEntity } from '../municipalities/municipality.entity.js';
import { MunicipalityProblems } from '../municipalities/municipality.problems.js';
import { CooperationEntity, CooperationMembershipEntity } from './cooperation.entity.js';
import { CooperationProblems } from './cooperation.problems.js';

const refOf = (m: MunicipalityEntity): MunicipalityRef => ({
  municipalityId: m.id,
  ags: m.ags,
  name: m.name,
});

/** Inter-municipal cooperations and their dated memberships; joining and leaving are events. */
@Injectable()
export class CooperationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
  ) {}

  async create(actor: ActorDto, input: CreateCooperationDto): Promise<CooperationDto> {
    return this.dataSource.transaction(async (manager) => {
      if (await manager.exists(CooperationEntity, { where: { name: input.name } }))
        throw CooperationProblems.nameTaken(input.name);
      const members = await manager.find(MunicipalityEntity, {
        where: { id: In(input.memberIds), active: true },
      });
      const missing = input.memberIds.filter((id) => !members.some((m) => m.id === id));
      if (missing.length > 0) throw CooperationProblems.unknownMembers(missing);
      const now = new Date();
      const cooperation = manager.create(CooperationEntity, {
        id: randomUUID(),
        name: input.name,
        kind: input.kind,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(CooperationEntity, cooperation);
      await manager.insert(
        CooperationMembershipEntity,
        members.map((m) => ({
          id: randomUUID(),
          cooperationId: cooperation.id,
          municipalityId: m.id,
          startDate: input.startDate,
          endDate: null,
          endReason: null,
        })),
      );
      const ordered = input.memberIds.map((id) => members.find((m) => m.id === id)!);
      await this.outbox.publish(manager, {
        type: CooperationCreatedEvent.type,
        subject: cooperation.id,
        data: {
          version: 1,
          name: cooperation.name,
          kind: cooperation.kind,
          members: ordered.map(refOf),
          startDate: input.startDate,
          actorUserId: actor.userId,
        },
      });
      return this.describe(manager, cooperation);
    });
  }

  async list(query: ListCooperationsQueryDto): Promise<Page<CooperationDto>> {
    const sort = parseSort(query.sort, COOPERATION_SORT_FIELDS) ?? [
      { field: 'name', direction: 'asc' as const },
    ];
    const page = await fetchKeysetPage<{ id: string }>(this.dataSource, {
      from: 'municipalities.cooperation c',
      columns: 'c.id',
      filters: [
        ...when(query.kind, (p) => `c.kind = ${p}`),
        ...when(
          query.municipalityId,
          (p) =>
            `EXISTS (SELECT 1 FROM municipalities.cooperation_membership ms WHERE ms.cooperation_id = c.id AND ms.municipality_id = ${p} AND ms.end_date IS NULL)`,
        ),
      ],
      sort,
      sortColumns: { name: 'lower(c.name)', createdAt: 'c.created_at' },
      sortValues: {
        name: 'lower(c.name)',
        createdAt: `to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      },
      idColumn: 'c.id',
      cursor: query.cursor,
      limit: query.limit,
    });
    const manager = this.dataSource.manager;
    const found = await manager.find(CooperationEntity, { where: { id: In(page.items.map((c) => c.id)) } });
    const items = await Promise.all(
      page.items.map((item) =>
        this.describe(
          manager,
          found.find((c) => c.id === item.id)!,
        ),
      ),
    );
    return { ...page, items };
  }

  async get(id: string): Promise<CooperationDto> {
    const manager = this.dataSource.manager;
    const cooperation = await manager.findOne(CooperationEntity, { where: { id } });
    if (!cooperation) throw CooperationProblems.notFound(id);
    return this.describe(manager, cooperation);
  }

  async join(actor: ActorDto, cooperationId: string, input: JoinCooperationDto): Promise<CooperationDto> {
    return this.dataSource.transaction(async (manager) => {
      const cooperation = await this.lockOrFail(manager, cooperationId);
      const municipality = await manager.findOne(MunicipalityEntity, { where: { id: input.municipalityId } });
      if (!municipality) throw MunicipalityProblems.notFound(input.municipalityId);
      if (!municipality.active) throw CooperationProblems.unknownMembers([municipality.id]);
      const open = await manager.exists(CooperationMembershipEntity, {
        where: { cooperationId, municipalityId: municipality.id, endDate: IsNull() },
      });
      if (open) throw CooperationProblems.alreadyMember(municipality.id);
      await manager.insert(CooperationMembershipEntity, {
        id: randomUUID(),
        cooperationId,
        municipalityId: municipality.id,
        startDate: input.startDate,
        endDate: null,
        endReason: null,
      });
      await this.outbox.publish(manager, {
        type: CooperationMemberJoinedEvent.type,
        subject: cooperation.id,
        data: {
          ...(await this.membershipChanged(manager, cooperation, municipality, actor)),
          startDate: input.startDate,
        },
      });
      return this.describe(manager, cooperation);
    });
  }

  async leave(actor: ActorDto, cooperationId: string, input: LeaveCooperationDto): Promise<CooperationDto> {
    return this.dataSource.transaction(async (manager) => {
      const cooperation = await this.lockOrFail(manager, cooperationId);
      const membership = await manager.findOne(CooperationMembershipEntity, {
        where: { cooperationId, municipalityId: input.municipalityId, endDate: IsNull() },
      });
      if (!membership) throw CooperationProblems.notMember(input.municipalityId);
      if (input.endDate < membership.startDate)
        throw CooperationProblems.endBeforeStart(membership.startDate);
      membership.endDate = input.endDate;
      membership.endReason = input.reason ?? null;
      await manager.save(CooperationMembershipEntity, membership);
      const municipality = await manager.findOneOrFail(MunicipalityEntity, {
        where: { id: input.municipalityId },
      });
      await this.outbox.publish(manager, {
        type: CooperationMemberLeftEvent.type,
        subject: cooperation.id,
        data: {
          ...(await this.membershipChanged(manager, cooperation, municipality, actor)),
          endDate: input.endDate,
          reason: input.reason ?? null,
        },
      });
      return this.describe(manager, cooperation);
    });
  }

  private async lockOrFail(manager: EntityManager, id: string): Promise<CooperationEntity> {
    const cooperation = await manager.findOne(CooperationEntity, {
      where: { id },
      lock: { mode: 'pessimistic_write' },
    });
    if (!cooperation) throw CooperationProblems.notFound(id);
    return cooperation;
  }

  /** A membership changed: the cooperation's new version, and what both membership events carry. */
  private async membershipChanged(
    manager: EntityManager,
    cooperation: CooperationEntity,
    municipality: MunicipalityEntity,
    actor: ActorDto,
  ): Promise<Omit<CooperationMemberJoinedEvent, 'startDate'>> {
    cooperation.version += 1;
    cooperation.updatedAt = new Date();
    await manager.save(CooperationEntity, cooperation);
    const memberCount = await manager.count(CooperationMembershipEntity, {
      where: { cooperationId: cooperation.id, endDate: IsNull() },
    });
    return {
      version: cooperation.version,
      cooperationName: cooperation.name,
      member: refOf(municipality),
      memberCount,
      actorUserId: actor.userId,
    };
  }

  private async describe(manager: EntityManager, cooperation: CooperationEntity): Promise<CooperationDto> {
    const rows = await manager
      .createQueryBuilder(CooperationMembershipEntity, 'ms')
      .innerJoin(MunicipalityEntity, 'm', 'm.id = ms.municipality_id')
      .select([
        'ms.municipality_id AS "municipalityId"',
        'm.ags AS ags',
        'm.name AS name',
        `to_char(ms.start_date, 'YYYY-MM-DD') AS "startDate"`,
        `to_char(ms.end_date, 'YYYY-MM-DD') AS "endDate"`,
      ])
      .where('ms.cooperation_id = :id', { id: cooperation.id })
      .orderBy('ms.start_date', 'ASC')
      .addOrderBy('m.name', 'ASC')
      .getRawMany<CooperationDto['memberships'][number]>();
    return {
      id: cooperation.id,
      name: cooperation.name,
      kind: cooperation.kind,
      memberships: rows,
      version: cooperation.version,
      createdAt: cooperation.createdAt.toISOString(),
    };
  }
}
