import { ServiceSettings } from '@wandelwerk/config';
import { IsString, Matches, MinLength, ValidateIf } from 'class-validator';

/** Settings of the funding service; field names are the environment variables. */
export class FundingSettings extends ServiceSettings {
  override PORT = 3002;

  /** Where finished report files are kept (relative to the working directory); several replicas must share it. */
  @IsString()
  @MinLength(1)
  REPORTS_DIR = 'var/reports';

  /**
   * How the gateway reaches this instance's HTTP port for report downloads, e.g. `http://funding:3002`; empty: the
   * address the service listens on (its host name when it listens on every interface).
   */
  @ValidateIf((settings: FundingSettings) => settings.REPORTS_INTERNAL_URL !== '')
  @Matches(/^https?:\/\/[^\s/]+$/, { message: 'must be an http(s) URL without a path, or empty' })
  REPORTS_INTERNAL_URL = '';

  /**
   * Signs the short-lived download links of reports. Empty: a random key per process, enough for one instance;
   * replicas behind one REPORTS_INTERNAL_URL need the same key.
   */
  @ValidateIf((settings: FundingSettings) => settings.REPORTS_LINK_SECRET !== '')
  @MinLength(32, { message: 'must be at least 32 characters long, or empty' })
  REPORTS_LINK_SECRET = '';
}
