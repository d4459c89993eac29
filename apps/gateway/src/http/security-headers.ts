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

/** Security headers on every answer, errors included (an `onSend` hook runs for all of them). */
export function installSecurityHeaders(fastify: FastifyInstance, options: SecurityHeaderOptions): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url ?? '';
    const docs = route === '/api/docs' || route.startsWith('/api/docs/');
    void reply
      .header('content-security-policy', docs ? DOCS_CSP : API_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cross-origin-resource-policy', 'same-origin')
      .header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    // Tokens and personal data must not sit in shared caches or the browser's history.
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    if (options.hstsMaxAgeSeconds > 0)
      void reply.header(
        'strict-transport-security',
        `max-age=${options.hstsMaxAgeSeconds}; includeSubDomains`,
      );
    return payload;
  });
}
