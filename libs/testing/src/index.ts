export * from './test-settings.js';
export * from './test-database.js';
export * from './private-servers.js';
export * from './wait-for.js';
