// What controllers of the gateway use from the HTTP conventions (see docs/api.md).
export * from './idempotency/idempotent.decorator.js';
export { AcceptsCsv } from './csv-body.js';
export * from './openapi/api-responses.decorator.js';
export * from './uuid-param.decorator.js';
export * from './http-conventions.module.js';
