/** Injection tokens and request fields of authentication. */
export const ACCESS_TOKENS = Symbol('ACCESS_TOKENS');
export const EXTERNAL_TOKEN_VERIFIER = Symbol('EXTERNAL_TOKEN_VERIFIER');
