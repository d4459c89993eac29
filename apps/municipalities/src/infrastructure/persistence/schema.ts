/** The service's own PostgreSQL schema; no other service reads it. */
export const MUNICIPALITIES_SCHEMA = 'municipalities';
