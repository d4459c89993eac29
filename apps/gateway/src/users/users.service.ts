import { HttpException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  MUNICIPALITIES_RPC,
  parseSort,
  problem,
  validationProblem,
  fieldViolation,
  type Page,
  type Role,
} from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { fetchKeysetPage, when } from '@wandelwerk/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { passwordHasher } from '../auth/password-hasher.js';
import { TokenRevocations } from '../auth/token-revocations.js';
import {
  USER_SORT_FIELDS,
  type CreateUserDto,
  type ListUsersQueryDto,
  type UpdateUserDto,
  type UserDto,
} from './user.dto.js';

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  municipality_id: string | null;
  password_hash: string | null;
  active: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** An account as login needs it. */
export interface AccountForLogin {
  id: string;
  role: Role;
  municipalityId: string | null;
  active: boolean;
  passwordHash: string | null;
}

const COLUMNS = `id, email, display_name, role, municipality_id, password_hash, active, version, created_at, updated_at`;

function toDto(row: UserRow): UserDto {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    municipalityId: row.municipality_id,
    active: row.active,
    hasPassword: row.password_hash !== null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const notFound = (id: string) =>
  problem(
    404,
    'user.not-found',
    { de: `Das Konto ${id} gibt es nicht.`, en: `There is no account ${id}.` },
    { id },
  );

const municipalityRequired = () =>
  validationProblem([
    fieldViolation('municipalityId', 'municipalityBinding', {
      de: 'ist für die Rolle municipality erforderlich und nur für sie erlaubt',
      en: 'is required for, and only allowed with, the role municipality',
    }),
  ]);

/** Accounts of the platform, managed by administrators; passwords only ever as argon2id hashes. */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rpc: RpcClient,
    private readonly revocations: TokenRevocations,
  ) {}

  async create(input: CreateUserDto): Promise<UserDto> {
    if ((input.role === 'municipality') !== (input.municipalityId !== undefined))
      throw municipalityRequired();
    if (input.municipalityId) await this.requireMunicipality(input.municipalityId);
    const hash = input.password === undefined ? null : await passwordHasher.hash(input.password);
    try {
      const [row] = await this.dataSource.query<UserRow[]>(
        `INSERT INTO gateway.user_account (id, email, display_name, role, municipality_id, password_hash)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [randomUUID(), input.email, input.displayName, input.role, input.municipalityId ?? null, hash],
      );
      return toDto(row);
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw problem(
          409,
          'user.email-taken',
          {
            de: `Es gibt schon ein Konto mit der E-Mail-Adresse ${input.email}.`,
            en: `There is already an account with the e-mail address ${input.email}.`,
          },
          { email: input.email },
        );
      throw error;
    }
  }

  async get(id: string): Promise<UserDto> {
    const [row] = await this.dataSource.query<UserRow[]>(
      `SELECT ${COLUMNS} FROM gateway.user_account WHERE id = $1`,
      [id],
    );
    if (!row) throw notFound(id);
    return toDto(row);
  }

  async list(query: ListUsersQueryDto): Promise<Page<UserDto>> {
    const sort = parseSort(query.sort, USER_SORT_FIELDS) ?? [
      { field: 'createdAt', direction: 'desc' as const },
    ];
    const page = await fetchKeysetPage<UserRow>(this.dataSource, {
      from: 'gateway.user_account u',
      columns: COLUMNS,
      filters: [
        ...when(query.role, (p) => `u.role = ${p}`),
        ...when(query.municipalityId, (p) => `u.municipality_id = ${p}`),
        ...when(query.active, (p) => `u.active = ${p}`),
      ],
      sort,
      sortColumns: { createdAt: 'u.created_at', email: 'lower(u.email)' },
      sortValues: {
        createdAt: `to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
        email: 'lower(u.email)',
      },
      idColumn: 'u.id',
      cursor: query.cursor,
      limit: query.limit,
    });
    return { ...page, items: page.items.map(toDto) };
  }

  /**
   * Changes an account. A change of role, municipality, password or active flag ends every session of the user:
   * their refresh tokens are revoked and access tokens issued before now are refused.
   */
  async update(id: string, patch: UpdateUserDto): Promise<UserDto> {
    const hash = patch.password === undefined ? undefined : await passwordHasher.hash(patch.password);
    const result = await this.dataSource.transaction(async (manager) => {
      const [current] = await manager.query<UserRow[]>(
        `SELECT ${COLUMNS} FROM gateway.user_account WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!current) throw notFound(id);
      const role = patch.role ?? current.role;
      const municipalityId =
        patch.municipalityId === undefined
          ? role === 'municipality'
            ? current.municipality_id
            : null
          : patch.municipalityId;
      if ((role === 'municipality') !== (municipalityId !== null)) throw municipalityRequired();
      if (municipalityId && municipalityId !== current.municipality_id)
        await this.requireMunicipality(municipalityId);
      const sessionsEnd =
        role !== current.role ||
        municipalityId !== current.municipality_id ||
        hash !== undefined ||
        (patch.active !== undefined && patch.active !== current.active);
      // TypeORM answers an UPDATE with [rows, affected count].
      const [[row]] = await manager.query<[UserRow[], number]>(
        `UPDATE gateway.user_account
            SET display_name = $2, role = $3, municipality_id = $4, active = $5,
                password_hash = COALESCE($6, password_hash), version = version + 1, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [
          id,
          patch.displayName ?? current.display_name,
          role,
          municipalityId,
          patch.active ?? current.active,
          hash ?? null,
        ],
      );
      if (sessionsEnd) await this.revokeRefreshTokens(manager, id);
      return { row: row, sessionsEnd };
    });
    if (result.sessionsEnd) await this.revocations.revokeUser(id);
    return toDto(result.row);
  }

  async findForLogin(email: string): Promise<AccountForLogin | undefined> {
    const [row] = await this.dataSource.query<UserRow[]>(
      `SELECT ${COLUMNS} FROM gateway.user_account WHERE lower(email) = lower($1)`,
      [email.trim()],
    );
    return row
      ? {
          id: row.id,
          role: row.role,
          municipalityId: row.municipality_id,
          active: row.active,
          passwordHash: row.password_hash,
        }
      : undefined;
  }

  private async revokeRefreshTokens(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(
      `UPDATE gateway.refresh_token SET revoked_at = now(), revoked_reason = 'account-changed'
        WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
  }

  private async requireMunicipality(id: string): Promise<void> {
    try {
      await this.rpc.request(MUNICIPALITIES_RPC.get, { id });
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === 404)
        throw validationProblem([
          fieldViolation('municipalityId', 'exists', {
            de: `nennt keine bekannte Gemeinde (${id})`,
            en: `names no known municipality (${id})`,
          }),
        ]);
      throw error;
    }
  }
}
