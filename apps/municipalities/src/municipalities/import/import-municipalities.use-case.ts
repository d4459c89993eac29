import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  MunicipalityRegisteredEvent,
  MunicipalityUpdatedEvent,
  type ActorDto,
  type ImportReportDto,
} from '@wandelwerk/contracts';
import { OutboxPublisher, type OutgoingEvent } from '@wandelwerk/messaging';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { MunicipalityEntity } from '../municipality.entity.js';
import { municipalitySnapshot, type MunicipalityField } from '../municipality.mapper.js';
import { MunicipalityProblems } from '../municipality.problems.js';
import { CsvLayoutError, parseMunicipalityCsv, type MunicipalityRow } from './municipality-csv.parser.js';

const CHUNK = 1_000;

/**
 * Upserts a municipality CSV by AGS in one transaction: new keys are registered, changed ones updated, the rest left
 * alone — so importing the same file again changes nothing and emits nothing. Bad rows are reported, not fatal.
 */
@Injectable()
export class ImportMunicipalitiesUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
  ) {}

  async execute(actor: ActorDto, csv: string): Promise<ImportReportDto> {
    let parsed;
    try {
      parsed = parseMunicipalityCsv(csv);
    } catch (error) {
      if (error instanceof CsvLayoutError)
        throw MunicipalityProblems.importUnreadable(error.message, error.messageEn);
      throw error;
    }
    const { accepted } = parsed;
    const counts = { created: 0, updated: 0, unchanged: 0 };
    await this.dataSource.transaction(async (manager) => {
      // Imports run one at a time, so two of them cannot both register the same new AGS.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('municipalities-import'))`);
      const existing = new Map<string, MunicipalityEntity>();
      for (let i = 0; i < accepted.length; i += CHUNK) {
        const ags = accepted.slice(i, i + CHUNK).map((row) => row.ags);
        for (const m of await manager.find(MunicipalityEntity, { where: { ags: In(ags) } }))
          existing.set(m.ags, m);
      }
      const now = new Date();
      const inserts: MunicipalityEntity[] = [];
      const events: OutgoingEvent<object>[] = [];
      for (const row of accepted) {
        const current = existing.get(row.ags);
        if (!current) {
          const created = manager.create(MunicipalityEntity, {
            id: randomUUID(),
            ...fieldsOf(row),
            region: row.region ?? null,
            active: true,
            version: 1,
            createdAt: now,
            updatedAt: now,
          });
          inserts.push(created);
          events.push({
            type: MunicipalityRegisteredEvent.type,
            subject: created.id,
            data: municipalitySnapshot(created, actor.userId),
          });
          counts.created++;
          continue;
        }
        const changed = applyRow(current, row);
        if (changed.length === 0) {
          counts.unchanged++;
          continue;
        }
        current.version += 1;
        current.updatedAt = now;
        await manager.save(MunicipalityEntity, current);
        events.push({
          type: MunicipalityUpdatedEvent.type,
          subject: current.id,
          data: { ...municipalitySnapshot(current, actor.userId), changedFields: changed },
        });
        counts.updated++;
      }
      for (let i = 0; i < inserts.length; i += CHUNK)
        await manager.insert(MunicipalityEntity, inserts.slice(i, i + CHUNK));
      for (let i = 0; i < events.length; i += CHUNK)
        await this.outbox.publishAll(manager, events.slice(i, i + CHUNK));
    });
    return { layout: parsed.layout, rows: parsed.rows, ...counts, rejected: parsed.rejected };
  }
}

function fieldsOf(
  row: MunicipalityRow,
): Pick<MunicipalityEntity, 'ags' | 'name' | 'officialName' | 'district' | 'state'> {
  return {
    ags: row.ags,
    name: row.name,
    officialName: row.officialName,
    district: row.district,
    state: row.state,
  };
}

/** The row's values over the stored ones; a file without regions keeps the stored region. */
function applyRow(m: MunicipalityEntity, row: MunicipalityRow): MunicipalityField[] {
  const changed: MunicipalityField[] = [];
  const next: Partial<Record<MunicipalityField, unknown>> = { ...fieldsOf(row) };
  if (row.region !== undefined) next.region = row.region;
  for (const [field, value] of Object.entries(next) as [MunicipalityField, unknown][]) {
    if ((field as string) === 'ags' || m[field] === value) continue;
    (m as unknown as Record<string, unknown>)[field] = value;
    changed.push(field);
  }
  return changed;
}
