import { ServiceSettings } from '@wandelwerk/config';

/** Settings of the notifications service; field names are the environment variables. */
export class NotificationsSettings extends ServiceSettings {
  override PORT = 3004;
}
