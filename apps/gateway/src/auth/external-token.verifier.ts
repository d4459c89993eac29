import type { VerifiedToken } from './access-tokens.js';

/** Verifies bearer tokens of an external issuer (OpenID Connect); `issuer` is what their `iss` claim says. */
export interface ExternalTokenVerifier {
  readonly issuer: string;
  verify(token: string): Promise<VerifiedToken>;
}
