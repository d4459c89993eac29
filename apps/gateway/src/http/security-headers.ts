import type { FastifyInstance } from 'fastify';

export interface SecurityHeaderOptions {
  /** `Strict-Transport-Security` max-age in seconds; 0 leaves the header out. */
  hstsMaxAgeSeconds: number;
}

/** The API answers JSON only: nothing may be framed, sniffed, or load anything. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** Swagger UI is a page with its own scripts and styles, served by the gateway itself. */
const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The security headers of an answer (`docs`: Swagger UI's page and assets). */
export function securityHeaders(options: SecurityHeaderOptions, docs = false): Record<string, string> {
  return {
    'content-security-policy': docs ? DOCS_CSP : API_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    ...(options.hstsMaxAgeSeconds > 0
      ? { 'strict-transport-security': `max-age=${options.hstsMaxAgeSeconds}; includeSubDomains` }
      : {}),
  };
}

/**
 * Security headers on every answer, errors included (an `onSend` hook runs for all of them). Streams written to the
 * raw response (server-sent events) set them themselves with `securityHeaders()`.
 */
export function installSecurityHeaders(fastify: FastifyInstance, options: SecurityHeaderOptions): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url ?? '';
    void reply.headers(securityHeaders(options, route === '/api/docs' || route.startsWith('/api/docs/')));
    // Tokens and personal data must not sit in shared caches or the browser's history.
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });
}
