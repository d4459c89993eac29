import { describe, expect, it } from '@jest/globals';
import { isLostDatabaseConnection } from './jetstream.transport.js';

describe('a lost database connection (503 for the caller, not 500)', () => {
  it.each([
    [
      'terminated by an administrator (TypeORM wraps the driver error)',
      { name: 'QueryFailedError', driverError: { code: '57P01' } },
    ],
    ['the server shutting down', { code: '57P02' }],
    ['a connection exception', { code: '08006' }],
    ['the socket ending', new Error('Connection terminated unexpectedly')],
    ['a released query runner', { name: 'QueryRunnerProviderAlreadyReleasedError', message: 'x' }],
    [
      'a refused connection, as the cause',
      { message: 'pool', cause: new Error('connect ECONNREFUSED 127.0.0.1:5432') },
    ],
  ])('recognises %s', (_what, error) => expect(isLostDatabaseConnection(error)).toBe(true));

  it.each([
    ['a unique violation', { name: 'QueryFailedError', driverError: { code: '23505' } }],
    ['a check violation', { code: '23514' }],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('does not take %s for one', (_what, error) => expect(isLostDatabaseConnection(error)).toBe(false));
});
