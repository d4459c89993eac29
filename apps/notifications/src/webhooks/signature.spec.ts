import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { newWebhookSecret, signWebhook, verifyWebhook, webhookHeaders } from './signature.js';

describe('Standard Webhooks signatures', () => {
  // The example of the Standard Webhooks specification (its reference libraries test the same vector).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';

  it('signs id.timestamp.body with HMAC-SHA256 under the base64-decoded secret', () => {
    expect(signWebhook(secret, id, timestamp, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    const manual = createHmac('sha256', Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'))
      .update(`${id}.${timestamp}.${body}`)
      .digest('base64');
    expect(signWebhook(secret, id, timestamp, body)).toBe(`v1,${manual}`);
  });

  it('verifies its own headers, also with two secrets during a rotation; refuses tampering and stale timestamps', () => {
    const fresh = newWebhookSecret();
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = webhookHeaders([fresh, secret], id, timestamp, body);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifyWebhook(fresh, headers, body, timestamp)).toBe(true);
    expect(verifyWebhook(secret, headers, body, timestamp)).toBe(true);
    expect(verifyWebhook(fresh, headers, `${body} `, timestamp)).toBe(false);
    expect(verifyWebhook(newWebhookSecret(), headers, body, timestamp)).toBe(false);
    expect(verifyWebhook(fresh, headers, body, timestamp + 301)).toBe(false);
  });
});
