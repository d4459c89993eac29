import { ProblemException, standardProblem } from '@wandelwerk/contracts';
import type { Redis } from 'ioredis';

const REDIS_TIMEOUT_MS = 2_000;

/**
 * One Redis command on behalf of a request: while Redis is away, commands would queue until it is back (the shared
 * connection waits for a reconnect); a request gets 503 at once, or after 2 s, instead.
 */
export async function callRedis<T>(redis: Redis, command: () => Promise<T>): Promise<T> {
  if (['reconnecting', 'close', 'end'].includes(redis.status)) throw standardProblem('service-unavailable');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(standardProblem('service-unavailable')), REDIS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([command(), timeout]);
  } catch (error) {
    throw error instanceof ProblemException ? error : standardProblem('service-unavailable');
  } finally {
    clearTimeout(timer);
  }
}
