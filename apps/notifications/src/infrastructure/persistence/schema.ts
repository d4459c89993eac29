/** The service's own PostgreSQL schema; no other service reads it. */
export const NOTIFICATIONS_SCHEMA = 'notifications';
