/** The service's own PostgreSQL schema; no other service reads it. */
export const PROJECTS_SCHEMA = 'projects';
