import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SETTINGS } from '@wandelwerk/platform';
import nodemailer, { type Transporter } from 'nodemailer';
import type { NotificationsSettings } from '../../config/notifications.settings.js';
import { DELIVERY_CONCURRENCY } from '../../deliveries/delivery-queue.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per notification: a receiving system can recognise a repeat. */
  messageId: string;
}

/** The SMTP server's answer, e.g. `250 2.0.0 Ok: queued as 4BDC`. */
export interface MailReceipt {
  response: string;
}

/**
 * SMTP through nodemailer, one pooled transport per process: up to one connection per delivery worker, each reused
 * for many messages (a new connection and greeting per mail costs an order of magnitude in throughput; see
 * docs/performance.md). A server that does not answer fails the attempt in time.
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private readonly transporter: Transporter;

  constructor(@Inject(SETTINGS) private readonly settings: NotificationsSettings) {
    this.transporter = nodemailer.createTransport({
      url: settings.SMTP_URL,
      pool: true,
      maxConnections: DELIVERY_CONCURRENCY,
      // Reconnect now and then, so a long-lived connection does not outlive a server's limits.
      maxMessages: 100,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async send(mail: OutgoingMail): Promise<MailReceipt> {
    const info = (await this.transporter.sendMail({
      from: this.settings.SMTP_FROM,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
    })) as { response: string };
    return { response: info.response };
  }

  onApplicationShutdown(): void {
    this.transporter.close();
  }
}
