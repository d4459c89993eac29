import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { problem, type ActorDto } from '@wandelwerk/contracts';
import { SETTINGS } from '@wandelwerk/platform';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { GatewaySettings } from '../config/gateway.settings.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokens, type VerifiedToken } from './access-tokens.js';
import type { TokenPairDto } from './auth.dto.js';
import { ACCESS_TOKENS } from './auth.tokens.js';
import { LoginThrottle } from './login-throttle.js';
import { passwordHasher } from './password-hasher.js';
import { TokenRevocations } from './token-revocations.js';

const invalidCredentials = () =>
  problem(401, 'auth.invalid-credentials', {
    de: 'E-Mail-Adresse oder Passwort ist falsch.',
    en: 'The e-mail address or the password is wrong.',
  });

const invalidRefreshToken = () =>
  problem(401, 'auth.invalid-refresh-token', {
    de: 'Das Aktualisierungstoken ist ungültig, abgelaufen oder widerrufen. Bitte melden Sie sich erneut an.',
    en: 'The refresh token is invalid, expired or revoked. Please sign in again.',
  });

const hashOf = (token: string): Buffer => createHash('sha256').update(token).digest();

interface RefreshRow {
  id: string;
  user_id: string;
  family_id: string;
  expired: boolean;
  revoked_reason: string | null;
}

/**
 * Sign-in with a local account, and its sessions: a short-lived access token (JWT) plus a refresh token that is used
 * once — each refresh replaces it. Presenting a replaced refresh token again means it was copied: the whole session
 * (token family) is revoked. Refresh tokens are kept only as SHA-256 hashes.
 */
@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SETTINGS) private readonly settings: GatewaySettings,
    @Inject(ACCESS_TOKENS) private readonly tokens: AccessTokens,
    private readonly users: UsersService,
    private readonly throttle: LoginThrottle,
    private readonly revocations: TokenRevocations,
  ) {}

  async login(email: string, password: string, address: string): Promise<TokenPairDto> {
    const account = await this.users.findForLogin(email);
    const attempt = { accountId: account?.id, email, address };
    await this.throttle.attempt(attempt);
    const matches = await passwordHasher.verify(account?.passwordHash ?? null, password);
    if (!account || !matches || !account.active) throw invalidCredentials();
    await this.throttle.succeeded(attempt);
    const actor: ActorDto = {
      userId: account.id,
      role: account.role,
      municipalityId: account.municipalityId,
    };
    return this.dataSource.transaction((manager) => this.issuePair(manager, actor, randomUUID()));
  }

  async refresh(refreshToken: string): Promise<TokenPairDto> {
    let reusedBy: string | undefined;
    const outcome = await this.dataSource.transaction(async (manager) => {
      const [row] = await manager.query<RefreshRow[]>(
        `SELECT id, user_id, family_id, expires_at <= now() AS expired, revoked_reason
           FROM gateway.refresh_token WHERE token_hash = $1 FOR UPDATE`,
        [hashOf(refreshToken)],
      );
      if (!row || row.expired) return 'invalid' as const;
      if (row.revoked_reason === 'rotated') {
        await this.revokeFamily(manager, row.family_id, 'reuse-detected');
        reusedBy = row.user_id;
        return 'invalid' as const;
      }
      if (row.revoked_reason !== null) return 'invalid' as const;
      const [user] = await manager.query<
        { role: ActorDto['role']; municipality_id: string | null; active: boolean }[]
      >(`SELECT role, municipality_id, active FROM gateway.user_account WHERE id = $1`, [row.user_id]);
      if (!user?.active) return 'invalid' as const;
      await manager.query(
        `UPDATE gateway.refresh_token SET revoked_at = now(), revoked_reason = 'rotated' WHERE id = $1`,
        [row.id],
      );
      return this.issuePair(
        manager,
        { userId: row.user_id, role: user.role, municipalityId: user.municipality_id },
        row.family_id,
      );
    });
    // The reuse revocation above must stay even though the caller gets an error, so it is thrown after the commit.
    // Someone holds a copy of a token of this session: its access tokens end too (those of every session of the
    // account, as access tokens do not name their session).
    if (reusedBy) await this.revocations.revokeUser(reusedBy);
    if (outcome === 'invalid') throw invalidRefreshToken();
    return outcome;
  }

  /** Ends the session: its refresh tokens are revoked and this access token is refused from now on. */
  async logout(accessToken: VerifiedToken, refreshToken: string | undefined): Promise<void> {
    if (refreshToken !== undefined) {
      await this.dataSource.transaction(async (manager) => {
        const [row] = await manager.query<{ family_id: string }[]>(
          `SELECT family_id FROM gateway.refresh_token WHERE token_hash = $1 AND user_id = $2`,
          [hashOf(refreshToken), accessToken.actor.userId],
        );
        if (row) await this.revokeFamily(manager, row.family_id, 'logout');
      });
    }
    await this.revocations.revokeToken(accessToken);
  }

  private async issuePair(manager: EntityManager, actor: ActorDto, familyId: string): Promise<TokenPairDto> {
    const refreshToken = randomBytes(32).toString('base64url');
    await manager.query(
      `INSERT INTO gateway.refresh_token (id, user_id, family_id, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [randomUUID(), actor.userId, familyId, hashOf(refreshToken), this.settings.REFRESH_TOKEN_TTL_SECONDS],
    );
    const access = await this.tokens.issue(actor);
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: this.settings.ACCESS_TOKEN_TTL_SECONDS,
      refreshToken,
      refreshExpiresIn: this.settings.REFRESH_TOKEN_TTL_SECONDS,
      user: { id: actor.userId, role: actor.role, municipalityId: actor.municipalityId ?? null },
    };
  }

  private async revokeFamily(manager: EntityManager, familyId: string, reason: string): Promise<void> {
    await manager.query(
      `UPDATE gateway.refresh_token SET revoked_at = now(), revoked_reason = $2
        WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId, reason],
    );
  }
}
