import { describe, expect, it } from '@jest/globals';
import { claimAt, roleFromClaim, userIdOf } from './oidc-token.verifier.js';

const ISSUER = 'https://sso.wandelwerk.example/realms/wandelwerk';
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('claimAt', () => {
  const payload = {
    sub: 'x',
    realm_access: { roles: ['funding_officer'] },
    resource_access: { 'wandelwerk-api': { roles: ['admin'] } },
    municipality_id: '0b6c7a2e-5a1d-4c1e-9a53-3f2f2d9e4b11',
    empty: null,
  };

  it('follows a dotted path into nested objects', () => {
    expect(claimAt(payload, 'realm_access.roles')).toEqual(['funding_officer']);
    expect(claimAt(payload, 'resource_access.wandelwerk-api.roles')).toEqual(['admin']);
    expect(claimAt(payload, 'municipality_id')).toBe(payload.municipality_id);
  });

  it('is undefined for a missing step, a step through null or a scalar', () => {
    expect(claimAt(payload, 'groups')).toBeUndefined();
    expect(claimAt(payload, 'realm_access.groups')).toBeUndefined();
    expect(claimAt(payload, 'empty.roles')).toBeUndefined();
    expect(claimAt(payload, 'sub.length')).toBeUndefined();
  });

  it('reads only the claims themselves, never inherited properties', () => {
    expect(claimAt(payload, 'realm_access.constructor')).toBeUndefined();
    expect(claimAt(payload, '__proto__')).toBeUndefined();
    expect(claimAt(payload, 'realm_access.roles.length')).toBe(1); // an array's own property
    expect(claimAt(payload, 'realm_access.roles.map')).toBeUndefined();
  });
});

describe('roleFromClaim', () => {
  it('takes the one Wandelwerk role among the realm’s other roles', () => {
    expect(roleFromClaim(['offline_access', 'uma_authorization', 'municipality'])).toBe('municipality');
    expect(roleFromClaim(['program_manager', 'default-roles-wandelwerk'])).toBe('program_manager');
  });

  it('of several roles takes the one with the most rights: admin, funding officer, program manager, municipality', () => {
    expect(roleFromClaim(['municipality', 'program_manager', 'funding_officer', 'admin'])).toBe('admin');
    expect(roleFromClaim(['municipality', 'program_manager', 'funding_officer'])).toBe('funding_officer');
    expect(roleFromClaim(['program_manager', 'municipality'])).toBe('program_manager');
    expect(roleFromClaim(['municipality', 'program_manager'])).toBe('program_manager');
  });

  it('reads a single role, or several separated by spaces or commas, from a string claim', () => {
    expect(roleFromClaim('funding_officer')).toBe('funding_officer');
    expect(roleFromClaim('municipality admin')).toBe('admin');
    expect(roleFromClaim('program_manager,municipality')).toBe('program_manager');
  });

  it('grants nothing for unknown roles, other spellings, non-strings or a missing claim', () => {
    expect(roleFromClaim(['offline_access', 'uma_authorization'])).toBeNull();
    expect(roleFromClaim(['Admin', 'ADMIN', 'funding-officer', ' admin'])).toBeNull();
    expect(roleFromClaim([{ admin: true }, 1, null])).toBeNull();
    expect(roleFromClaim({ roles: ['admin'] })).toBeNull();
    expect(roleFromClaim('')).toBeNull();
    expect(roleFromClaim(undefined)).toBeNull();
  });
});

describe('userIdOf', () => {
  it('keeps a UUID subject (Keycloak’s), in lower case', () => {
    expect(userIdOf(ISSUER, '7d0f5f5e-2c4b-4f0e-8f3a-1b2c3d4e5f60')).toBe(
      '7d0f5f5e-2c4b-4f0e-8f3a-1b2c3d4e5f60',
    );
    expect(userIdOf(ISSUER, '7D0F5F5E-2C4B-4F0E-8F3A-1B2C3D4E5F60')).toBe(
      '7d0f5f5e-2c4b-4f0e-8f3a-1b2c3d4e5f60',
    );
  });

  it('maps any other subject to a stable UUID of version 4 shape', () => {
    const id = userIdOf(ISSUER, 'f:ldap:erika.mustermann');
    expect(id).toMatch(V4);
    expect(userIdOf(ISSUER, 'f:ldap:erika.mustermann')).toBe(id);
    // Pinned: a change of the derivation would give every such user a new id (and orphan what they own).
    expect(userIdOf('https://issuer.example', 'alice')).toBe('6d17d965-6825-4672-9e5f-f258ff9b7630');
  });

  it('gives different ids to different subjects and to the same subject of another issuer', () => {
    const ids = new Set([
      userIdOf(ISSUER, 'alice'),
      userIdOf(ISSUER, 'bob'),
      userIdOf('https://other.example/realms/x', 'alice'),
      userIdOf(ISSUER, 'alice '),
    ]);
    expect(ids.size).toBe(4);
    for (const id of ids) expect(id).toMatch(V4);
  });

  it('does not keep a subject that only looks almost like a UUID', () => {
    for (const subject of [
      '7d0f5f5e2c4b4f0e8f3a1b2c3d4e5f60',
      '{7d0f5f5e-2c4b-4f0e-8f3a-1b2c3d4e5f60}',
      'not-a-uuid',
    ]) {
      expect(userIdOf(ISSUER, subject)).not.toBe(subject);
      expect(userIdOf(ISSUER, subject)).toMatch(V4);
    }
  });
});
