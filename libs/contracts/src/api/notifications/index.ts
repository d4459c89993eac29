export * from './notification.dto.js';
export * from './webhook.dto.js';
export * from './preferences.dto.js';
