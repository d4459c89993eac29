import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SETTINGS } from '@wandelwerk/platform';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { FundingSettings } from '../config/funding.settings.js';

/** How long a download link is valid: the gateway uses it at once. */
export const LINK_TTL_MS = 60_000;

/**
 * Where report files live (REPORTS_DIR, `<id>.csv`) and the signed links the gateway fetches them with from this
 * instance's HTTP port. A link names one report and expires after a minute; its signature is an HMAC-SHA256 with
 * REPORTS_LINK_SECRET (or a random key of this process), so the internal route gives nothing to whoever merely
 * reaches the port.
 */
@Injectable()
export class ReportFiles implements OnModuleInit {
  readonly dir: string;
  private readonly key: Buffer;

  constructor(
    @Inject(SETTINGS) private readonly settings: FundingSettings,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.dir = resolve(settings.REPORTS_DIR);
    this.key = settings.REPORTS_LINK_SECRET
      ? Buffer.from(settings.REPORTS_LINK_SECRET, 'utf8')
      : randomBytes(32);
  }

  async onModuleInit(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  pathOf(reportId: string): string {
    return join(this.dir, `${reportId}.csv`);
  }

  /** A link to the file of a report on this instance, valid for LINK_TTL_MS. */
  link(reportId: string, now = Date.now()): string {
    const expires = now + LINK_TTL_MS;
    return `${this.baseUrl()}/internal/reports/${reportId}/file?expires=${expires}&signature=${this.sign(reportId, expires)}`;
  }

  /** Whether a link's signature is ours and it has not expired. */
  verify(
    reportId: string,
    expires: string | undefined,
    signature: string | undefined,
    now = Date.now(),
  ): boolean {
    if (!expires || !signature || !/^[0-9]{1,15}$/.test(expires)) return false;
    const at = Number(expires);
    if (at < now || at > now + LINK_TTL_MS) return false;
    const expected = Buffer.from(this.sign(reportId, at), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(reportId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${reportId}.${expires}`).digest('base64url');
  }

  private baseUrl(): string {
    if (this.settings.REPORTS_INTERNAL_URL) return this.settings.REPORTS_INTERNAL_URL;
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    const address = server.address() as AddressInfo | null;
    if (!address) throw new Error('the HTTP server does not listen yet');
    const wildcard = address.address === '0.0.0.0' || address.address === '::';
    const host = wildcard ? hostname() : address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }
}
