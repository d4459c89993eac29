/** Wire format of request/reply between the gateway and the services (core NATS, queue group per service). */
export const CORRELATION_ID_HEADER = 'x-correlation-id';
/** The client's idempotency key of the request a command serves (see currentRequestKey). */
export const REQUEST_KEY_HEADER = 'x-request-key';

export interface RpcProblem {
  status: number;
  title: string;
  detail: string;
  /** Machine-readable details, e.g. validation errors or the current state of a refused transition. */
  [extension: string]: unknown;
}

export type RpcReply<T = unknown> = { ok: true; data: T } | { ok: false; error: RpcProblem };
