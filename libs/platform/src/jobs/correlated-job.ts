import { randomUUID } from 'node:crypto';
import { currentCorrelation, runWithCorrelation } from '@wandelwerk/observability';

/** Carried in the data of every BullMQ job, so the work it does later is traced to the request that caused it. */
export interface JobCorrelation {
  correlationId: string;
  causationId?: string | undefined;
}

/** The correlation of the request or event being handled, to put into a job when it is enqueued. */
export function correlationForJob(): JobCorrelation {
  const scope = currentCorrelation();
  return scope
    ? { correlationId: scope.correlationId, causationId: scope.causationId }
    : { correlationId: randomUUID() };
}

/** Runs a job's processor in the correlation scope the job was enqueued in (a new one for scheduled jobs). */
export function runJobInScope<T>(
  data: { correlation?: JobCorrelation | undefined },
  jobId: string | undefined,
  fn: () => T,
): T {
  const correlation = data.correlation ?? { correlationId: randomUUID() };
  return runWithCorrelation(
    { correlationId: correlation.correlationId, causationId: jobId ?? correlation.causationId },
    fn,
  );
}
