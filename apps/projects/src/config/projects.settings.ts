import { IntSetting, ServiceSettings } from '@wandelwerk/config';
import { Type } from 'class-transformer';

/** Settings of the projects service; field names are the environment variables. */
export class ProjectsSettings extends ServiceSettings {
  override PORT = 3001;

  /** How many days before a report's due date the due-soon reminder goes out (at midnight, Europe/Berlin). */
  @Type(() => Number)
  @IntSetting(1, 365, 'days')
  REPORT_DUE_SOON_DAYS = 14;
}
