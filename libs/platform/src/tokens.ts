/** Injection tokens of what the platform provides to every service. */
export const SETTINGS = Symbol('SETTINGS');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');
export const APP_LOGGER = Symbol('APP_LOGGER');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
