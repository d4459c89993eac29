/** The gateway's own PostgreSQL schema: accounts, refresh tokens, the audit record. No service reads it. */
export const GATEWAY_SCHEMA = 'gateway';
