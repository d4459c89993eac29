export * from './language.js';
export * from './problem-messages.js';
export * from './problem.js';
export * from './problem-details.dto.js';
export * from './validation.js';
export * from './query-params.js';
export * from './pagination.js';
