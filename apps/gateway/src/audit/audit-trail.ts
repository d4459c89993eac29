import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Page } from '@wandelwerk/contracts';
import { CORRELATION_HEADER, serializeError, type JsonLogger } from '@wandelwerk/observability';
import { APP_LOGGER, fetchKeysetPage, when } from '@wandelwerk/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { actorOf } from '../auth/current-actor.decorator.js';
import { requestPath } from '../http/problem-details.filter.js';
import type { AuditEntryDto, AuditOutcome, ListAuditEntriesQueryDto } from './audit-entry.dto.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Tries of one audit write before it is given up (and logged). */
const AUDIT_WRITE_ATTEMPTS = 3;
const RESOURCE_PARAMS = ['id', 'municipalityId', 'cooperationId', 'contactId', 'reportId', 'milestoneId'];

export function outcomeOf(status: number): AuditOutcome {
  return status < 400 ? 'succeeded' : status < 500 ? 'refused' : 'failed';
}

/** `projects` of `/api/v1/projects/…`; null outside the API. */
export function resourceTypeOf(path: string): string | null {
  return /^\/api\/v1\/([a-z][a-z-]{0,39})(?:[/?]|$)/.exec(path)?.[1] ?? null;
}

/** The id a request acted on: a path parameter, else the id of what a POST created. */
export function resourceIdOf(params: unknown, payload: unknown, status: number): string | null {
  if (params && typeof params === 'object') {
    for (const name of RESOURCE_PARAMS) {
      const value = (params as Record<string, unknown>)[name];
      if (typeof value === 'string' && value.length <= 100) return value;
    }
  }
  if (status === 201 && typeof payload === 'string' && payload.length < 1_000_000) {
    try {
      const body = JSON.parse(payload) as { id?: unknown };
      if (typeof body.id === 'string' && body.id.length <= 100) return body.id;
    } catch {
      return null;
    }
  }
  return null;
}

interface AuditRow {
  id: string;
  at: Date;
  user_id: string | null;
  role: AuditEntryDto['role'];
  method: string;
  route: string;
  path: string;
  resource_type: string | null;
  resource_id: string | null;
  address: string;
  status: number;
  outcome: AuditOutcome;
  correlation_id: string | null;
}

/**
 * The audit record: every state-changing request (any method but GET, HEAD and OPTIONS), refused and failed ones
 * included, is written before its answer leaves the gateway. The request's effect has happened by then, so a failed
 * audit write does not turn the answer into an error; it is logged at `error` for the operators.
 */
@Injectable()
export class AuditTrail implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      // Every state-changing request, whatever its path says (`/%61pi/...` reaches the same handler as `/api/...`).
      if (!READS.has(request.method)) await this.record(request, reply, payload);
      return payload;
    });
  }

  async list(query: ListAuditEntriesQueryDto): Promise<Page<AuditEntryDto>> {
    const page = await fetchKeysetPage<AuditRow>(this.dataSource, {
      from: 'gateway.audit_entry a',
      columns:
        'id, at, user_id, role, method, route, path, resource_type, resource_id, address, status, outcome, correlation_id',
      filters: [
        ...when(query.userId, (p) => `a.user_id = ${p}::uuid`),
        ...when(query.resourceId, (p) => `a.resource_id = ${p}`),
        ...when(query.resourceType, (p) => `a.resource_type = ${p}`),
        ...when(query.outcome, (p) => `a.outcome = ${p}`),
        ...when(query.from, (p) => `a.at >= ${p}::timestamptz`),
        ...when(query.to, (p) => `a.at < ${p}::timestamptz`),
      ],
      sort: [{ field: 'at', direction: 'desc' }],
      sortColumns: { at: 'a.at' },
      sortValues: { at: `to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` },
      idColumn: 'a.id',
      cursor: query.cursor,
      limit: query.limit,
    });
    return {
      ...page,
      items: page.items.map((row) => ({
        id: row.id,
        at: row.at.toISOString(),
        userId: row.user_id,
        role: row.role,
        method: row.method,
        route: row.route,
        path: row.path,
        resourceType: row.resource_type,
        resourceId: row.resource_id,
        address: row.address,
        status: row.status,
        outcome: row.outcome,
        correlationId: row.correlation_id,
      })),
    };
  }

  private async record(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
    const actor = actorOf(request);
    const path = requestPath(request.url);
    const correlation = reply.getHeader(CORRELATION_HEADER);
    const entry = [
      randomUUID(),
      actor?.userId ?? null,
      actor?.role ?? null,
      request.method.slice(0, 10),
      (request.routeOptions.url ?? '(no route)').slice(0, 300),
      path.slice(0, 500),
      resourceTypeOf(request.routeOptions.url ?? path),
      resourceIdOf(request.params, payload, reply.statusCode),
      request.ip,
      reply.statusCode,
      outcomeOf(reply.statusCode),
      typeof correlation === 'string' ? correlation.slice(0, 100) : null,
    ];
    // A pooled connection the server has ended (restart, failover, pg_terminate_backend) fails the first query on
    // it; the pool then drops it, so another attempt gets a fresh one. The entry keeps its id across attempts, so an
    // attempt whose commit went through but whose answer was lost is not written twice.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.dataSource.query(
          `INSERT INTO gateway.audit_entry
             (id, at, user_id, role, method, route, path, resource_type, resource_id, address, status, outcome,
              correlation_id)
           VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (id) DO NOTHING`,
          entry,
        );
        return;
      } catch (error) {
        if (attempt < AUDIT_WRITE_ATTEMPTS) continue;
        this.logger.write('error', 'audit record not written', {
          method: request.method,
          url: path,
          status: reply.statusCode,
          attempts: attempt,
          err: serializeError(error),
        });
        return;
      }
    }
  }
}
