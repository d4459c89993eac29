import { messagingTablesMigration } from '@wandelwerk/platform';
import { NOTIFICATIONS_SCHEMA } from '../schema.js';
import { Notifications1764100000001 } from './1764100000001-notifications.js';
import { DeliveryRounds1764100000002 } from './1764100000002-delivery-rounds.js';
import { OpenDeliveries1764100000003 } from './1764100000003-open-deliveries.js';

/** In the order they run; every schema change of the service is a migration here. */
export const NOTIFICATIONS_MIGRATIONS = [
  messagingTablesMigration(NOTIFICATIONS_SCHEMA),
  Notifications1764100000001,
  DeliveryRounds1764100000002,
  OpenDeliveries1764100000003,
];
