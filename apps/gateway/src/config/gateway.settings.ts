import { IntSetting, ServiceSettings } from '@wandelwerk/config';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsString, Matches, MinLength, ValidateBy, ValidateIf } from 'class-validator';

/** Only for development and tests: production refuses to start with it. */
export const DEVELOPMENT_JWT_SECRET = 'wandelwerk-development-secret-do-not-use-in-production';

const csv = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
    : value;

/**
 * Settings of the gateway; field names are the environment variables. DATABASE_URL holds its own schema (accounts,
 * refresh tokens, the audit record); REDIS_URL the idempotency records, login throttling and revoked tokens.
 */
export class GatewaySettings extends ServiceSettings {
  override PORT = 3000;

  /** Prefixes every key the gateway writes to Redis, so environments and test runs sharing a Redis never meet. */
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'may contain only letters, digits, _ and - (1 to 40)' })
  REDIS_KEY_PREFIX = 'wandelwerk';

  /** How long the answer to an `Idempotency-Key` request is kept and replayed (24 h). */
  @Type(() => Number)
  @IntSetting(60, 604_800, 'seconds')
  IDEMPOTENCY_TTL_SECONDS = 86_400;

  /**
   * Signs the gateway's own access tokens (HS256). The default is for development only: `NODE_ENV=production`
   * refuses to start with it.
   */
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters long' })
  @ValidateBy({
    name: 'ownSecretInProduction',
    validator: {
      validate: (value: unknown, args) =>
        (args?.object as GatewaySettings).NODE_ENV !== 'production' || value !== DEVELOPMENT_JWT_SECRET,
      defaultMessage: () => 'must be a secret of your own when NODE_ENV is production',
    },
  })
  JWT_SECRET = DEVELOPMENT_JWT_SECRET;

  @IsIn(['development', 'test', 'production'], { message: 'must be development, test or production' })
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  /** Lifetime of an access token (15 min); a refresh token gets the next one. */
  @Type(() => Number)
  @IntSetting(60, 86_400, 'seconds')
  ACCESS_TOKEN_TTL_SECONDS = 900;

  /** Lifetime of a refresh token (30 days); each use replaces it with a new one. */
  @Type(() => Number)
  @IntSetting(300, 31_536_000, 'seconds')
  REFRESH_TOKEN_TTL_SECONDS = 2_592_000;

  /** Failed logins of one account within the window before the account is locked for the rest of the window. */
  @Type(() => Number)
  @IntSetting(1, 1000)
  LOGIN_MAX_FAILURES_PER_ACCOUNT = 5;

  /** Failed logins from one address within the window before that address is refused. */
  @Type(() => Number)
  @IntSetting(1, 100_000)
  LOGIN_MAX_FAILURES_PER_ADDRESS = 20;

  @Type(() => Number)
  @IntSetting(10, 86_400, 'seconds')
  LOGIN_FAILURE_WINDOW_SECONDS = 900;

  /**
   * OpenID Connect issuer (e.g. a Keycloak realm `https://sso.example.de/realms/wandelwerk`). When set, bearer tokens
   * of this issuer are verified against its JWKS, beside the gateway's own tokens.
   */
  @ValidateIf((settings: GatewaySettings) => settings.OIDC_ISSUER_URL !== '')
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL or empty' })
  OIDC_ISSUER_URL = '';

  /**
   * The audience the issuer's tokens must name (Keycloak: the audience an audience mapper adds, e.g.
   * `wandelwerk-api`); empty accepts any, which production refuses when an issuer is set.
   */
  @IsString()
  @ValidateBy({
    name: 'audienceInProduction',
    validator: {
      validate: (value: unknown, args) => {
        const settings = args?.object as GatewaySettings;
        return settings.NODE_ENV !== 'production' || settings.OIDC_ISSUER_URL === '' || value !== '';
      },
      defaultMessage: () => 'must be set when OIDC_ISSUER_URL is set and NODE_ENV is production',
    },
  })
  OIDC_AUDIENCE = '';

  /** Dotted path of the claim listing the user's roles (Keycloak realm roles: `realm_access.roles`). */
  @Matches(/^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/, { message: 'must be a dotted claim path' })
  OIDC_ROLES_CLAIM = 'realm_access.roles';

  /** Claim with the id of the municipality a `municipality` user acts for. */
  @Matches(/^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/, { message: 'must be a dotted claim path' })
  OIDC_MUNICIPALITY_CLAIM = 'municipality_id';

  /**
   * Server-sent event streams send a heartbeat this often (so proxies keep them open) and check then whether the
   * token they were opened with has been revoked.
   */
  @Type(() => Number)
  @IntSetting(1, 300, 'seconds')
  STREAM_HEARTBEAT_SECONDS = 15;

  /** Browser origins allowed to call the API (CORS), comma-separated; empty allows none. */
  @Transform(csv)
  @Matches(/^https?:\/\/[^\s/]+$/, { each: true, message: 'must list origins like https://app.example.de' })
  CORS_ORIGINS: string[] = [];

  /** `Strict-Transport-Security` max-age; 0 leaves the header out (plain HTTP during development). */
  @Type(() => Number)
  @IntSetting(0, 63_072_000, 'seconds')
  HSTS_MAX_AGE_SECONDS = 0;

  /**
   * Behind reverse proxies: which of them to believe about the client's address (`X-Forwarded-For`), for throttling
   * and the audit record. `false` (none: the socket's address), the number of proxies in front of the gateway (e.g.
   * `1`), or their addresses and CIDR ranges (`10.0.0.0/8,192.168.1.7`). Never "all": a client could then name any
   * address it likes.
   */
  @Transform(({ value }: { value: unknown }) =>
    value === 'false' ? false : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @ValidateBy({
    name: 'trustedProxies',
    validator: {
      validate: (value: unknown) =>
        value === false ||
        (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10) ||
        (typeof value === 'string' &&
          value
            .split(',')
            .every((part) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(part.trim()) && /[.:]/.test(part))),
      defaultMessage: () =>
        'must be false, the number of proxies in front of the gateway (1 to 10), or their addresses/CIDR ranges',
    },
  })
  TRUST_PROXY: false | number | string = false;
}
