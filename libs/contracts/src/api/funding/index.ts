export * from './programme.dto.js';
export * from './budget.dto.js';
export * from './allocation.dto.js';
export * from './funding-rpc.js';
export * from './report.dto.js';
