import type { CorrelatedJobData } from '@wandelwerk/platform';

export const DELIVERY_QUEUE = 'notification-deliveries';

/** Deliveries one instance sends at once (BullMQ worker concurrency; also the SMTP connections it keeps open). */
export const DELIVERY_CONCURRENCY = 8;

export interface DeliveryJobData extends CorrelatedJobData {
  deliveryId: string;
}

/**
 * One job per delivery and round, whoever enqueues it how often (BullMQ job ids may not contain `:`). A round after
 * the first (a resend after a webhook endpoint was resumed) needs a new id: BullMQ ignores a job whose id it still
 * keeps.
 */
export const deliveryJobId = (deliveryId: string, round = 0): string =>
  round === 0 ? `delivery-${deliveryId}` : `delivery-${deliveryId}-r${round}`;
