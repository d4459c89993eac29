import { GatewayTimeoutException, HttpException, ServiceUnavailableException } from '@nestjs/common';
import {
  headers as natsHeaders,
  RequestError,
  TimeoutError,
  type NatsConnection,
} from '@nats-io/transport-node';
import { currentCorrelationId, currentRequestKey } from '@wandelwerk/observability';
import { rpcSubject } from '../topology/topology.js';
import { CORRELATION_ID_HEADER, REQUEST_KEY_HEADER, type RpcReply } from './rpc-protocol.js';

export interface RpcClientOptions {
  nc: NatsConnection;
  prefix: string;
  timeoutMs: number;
}

/**
 * Request/reply to a service over NATS. A caller never hangs: no responder becomes 503, no answer in time 504, and
 * a service's problem reply becomes the matching HTTP exception.
 */
export class RpcClient {
  constructor(private readonly options: RpcClientOptions) {}

  async request<TResult>(
    pattern: string,
    payload: unknown,
    timeoutMs = this.options.timeoutMs,
  ): Promise<TResult> {
    const h = natsHeaders();
    const correlationId = currentCorrelationId();
    if (correlationId) h.set(CORRELATION_ID_HEADER, correlationId);
    const requestKey = currentRequestKey();
    if (requestKey) h.set(REQUEST_KEY_HEADER, requestKey);
    let reply: RpcReply<TResult>;
    try {
      const msg = await this.options.nc.request(
        rpcSubject(this.options.prefix, pattern),
        JSON.stringify(payload ?? null),
        {
          timeout: timeoutMs,
          headers: h,
        },
      );
      reply = msg.json<RpcReply<TResult>>();
    } catch (error) {
      throw translateTransportError(error, pattern);
    }
    if (reply.ok) return reply.data;
    throw new HttpException(reply.error, reply.error.status);
  }
}

function translateTransportError(error: unknown, pattern: string): HttpException {
  const service = pattern.split('.')[0] ?? pattern;
  if (error instanceof RequestError && error.isNoResponders()) {
    return new ServiceUnavailableException({
      status: 503,
      title: 'Service Unavailable',
      detail: `Der Dienst "${service}" ist derzeit nicht erreichbar.`,
    });
  }
  if (
    error instanceof TimeoutError ||
    (error instanceof RequestError && error.cause instanceof TimeoutError)
  ) {
    return new GatewayTimeoutException({
      status: 504,
      title: 'Gateway Timeout',
      detail: `Der Dienst "${service}" hat nicht rechtzeitig geantwortet.`,
    });
  }
  return new ServiceUnavailableException({
    status: 503,
    title: 'Service Unavailable',
    detail: `Der Dienst "${service}" ist derzeit nicht erreichbar.`,
  });
}
