import { createHash } from 'node:crypto';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotency-replayed';

/** 1 to 200 printable ASCII characters (space to tilde). */
export function isValidIdempotencyKey(value: unknown): value is string {
  return typeof value === 'string' && /^[\x20-\x7E]{1,200}$/.test(value);
}

/** Where an Idempotency-Key is valid: per caller, method and path (a key is never shared between routes or users). */
export interface IdempotencyScope {
  principal: string;
  method: string;
  path: string;
  key: string;
}

/**
 * Who asks, for scoping keys: the signed-in user the access guard put on the request (`request.actor`), so that one
 * user can never replay or block another's request; callers of public routes share `anonymous`.
 */
export function principalOf(request: object): string {
  const actor = (request as { actor?: { userId?: unknown } }).actor;
  return typeof actor?.userId === 'string' && actor.userId.length > 0 ? `user:${actor.userId}` : 'anonymous';
}

/** The Redis key's stem of a scope: a hash, so no caller-chosen text ever becomes part of a key. */
export function scopeId(scope: IdempotencyScope): string {
  return createHash('sha256')
    .update(JSON.stringify([scope.principal, scope.method.toUpperCase(), scope.path, scope.key]))
    .digest('hex');
}
