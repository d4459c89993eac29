import { describe, expect, it } from '@jest/globals';
import { ConfigValidationError, loadConfig } from '@wandelwerk/config';
import { GatewaySettings } from './gateway.settings.js';

const load = (env: Record<string, string>) => loadConfig(GatewaySettings, env, 'gateway');
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    load(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    return error.problems.map((p) => `${p.setting}: ${p.rules.join('; ')}`);
  }
};

describe('gateway settings', () => {
  it('refuses the development secret and an open audience in production', () => {
    expect(
      problemsOf({ NODE_ENV: 'production', OIDC_ISSUER_URL: 'https://sso.example.de/realms/ww' }),
    ).toEqual([
      'JWT_SECRET: must be a secret of your own when NODE_ENV is production',
      'OIDC_AUDIENCE: must be set when OIDC_ISSUER_URL is set and NODE_ENV is production',
    ]);
    expect(
      problemsOf({
        NODE_ENV: 'production',
        JWT_SECRET: 'a-production-secret-of-at-least-32-chars',
        OIDC_ISSUER_URL: 'https://sso.example.de/realms/ww',
        OIDC_AUDIENCE: 'wandelwerk-api',
      }),
    ).toEqual([]);
    expect(problemsOf({ JWT_SECRET: 'short' })).toEqual(['JWT_SECRET: must be at least 32 characters long']);
  });

  it('believes no proxy by default, and only the proxies named', () => {
    expect(load({}).TRUST_PROXY).toBe(false);
    expect(load({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(load({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7' }).TRUST_PROXY).toBe('10.0.0.0/8, 192.168.1.7');
    for (const bad of ['true', '0', '11', 'everyone', '10.0.0.0/8,*'])
      expect(problemsOf({ TRUST_PROXY: bad })).toEqual([
        'TRUST_PROXY: must be false, the number of proxies in front of the gateway (1 to 10), or their addresses/CIDR ranges',
      ]);
  });

  it('reads the allowed browser origins as a list and refuses anything but origins', () => {
    expect(load({ CORS_ORIGINS: 'https://a.example.de, http://localhost:5173' }).CORS_ORIGINS).toEqual([
      'https://a.example.de',
      'http://localhost:5173',
    ]);
    expect(problemsOf({ CORS_ORIGINS: 'https://a.example.de/path' })).toHaveLength(1);
  });
});
