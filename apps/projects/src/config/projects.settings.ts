import { ServiceSettings } from '@wandelwerk/config';

/** Settings of the projects service; field names are the environment variables. */
export class ProjectsSettings extends ServiceSettings {
  override PORT = 3001;
}
