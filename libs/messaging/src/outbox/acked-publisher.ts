import {
  createInbox,
  headers,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

export interface PublishAck {
  /** JetStream already had a message with this id (within the stream's duplicate window) and dropped this one. */
  duplicate: boolean;
}

interface Pending {
  resolve: (ack: PublishAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Publishes to JetStream and waits for the stream's acknowledgement, like `JetStreamClient.publish` with a message id,
 * with less work per message: every publish's reply comes to one subscription of this publisher (a token per
 * message) instead of a request object each, and errors are only built when something fails. The outbox relay
 * publishes every event through it.
 *
 * The acknowledgement is JetStream's: `{ stream, seq, duplicate? }`, or `{ error }` when the stream refused the
 * message; a 503 status means no stream takes the subject (or JetStream is not running). No answer within the timeout
 * is a failure too: the caller keeps the row and publishes it again, and the message id lets JetStream drop it if
 * the first attempt was stored after all.
 */
export class AckedPublisher {
  private subscription: Subscription | undefined;
  private prefix = '';
  private next = 0;
  private readonly pending = new Map<string, Pending>();

  /** False between a disconnect and the reconnect: publishing then would only pile copies up in the client. */
  private connected = true;

  constructor(private readonly nc: NatsConnection) {
    void this.watchConnection();
  }

  private async watchConnection(): Promise<void> {
    try {
      for await (const status of this.nc.status()) {
        if (status.type === 'disconnect') this.connected = false;
        if (status.type === 'reconnect') this.connected = true;
      }
    } catch {
      // the status stream ends with the connection
    }
  }

  publish(subject: string, payload: string, msgId: string, timeoutMs: number): Promise<PublishAck> {
    // The row stays in the outbox and goes out after the reconnect; nothing is buffered meanwhile.
    if (!this.connected) return Promise.reject(new Error('NATS is disconnected'));
    if (!this.subscription || this.subscription.isClosed()) this.subscribe();
    const token = String(this.next++);
    const h = headers();
    h.set('Nats-Msg-Id', msgId);
    return new Promise<PublishAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`JetStream did not acknowledge ${subject} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, { resolve, reject, timer });
      try {
        this.nc.publish(subject, payload, { headers: h, reply: this.prefix + token });
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(token);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Fails what is still waiting and stops listening. */
  close(): void {
    this.failAll(new Error('publisher closed'));
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private subscribe(): void {
    const inbox = createInbox();
    this.prefix = `${inbox}.`;
    this.subscription = this.nc.subscribe(`${inbox}.*`, {
      callback: (error, msg) => (error ? this.failAll(error) : this.settle(msg)),
    });
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const pending = this.pending.get(token);
    if (!pending) return; // timed out already
    this.pending.delete(token);
    clearTimeout(pending.timer);
    if (msg.headers?.hasError) {
      const reason =
        msg.headers.code === 503
          ? 'no stream takes this subject'
          : `${msg.headers.code} ${msg.headers.description}`;
      pending.reject(new Error(`JetStream did not take the message: ${reason}`));
      return;
    }
    let ack: { stream?: string; duplicate?: boolean; error?: { code?: number; description?: string } };
    try {
      ack = JSON.parse(msg.string()) as typeof ack;
    } catch {
      pending.reject(new Error('JetStream answered with something other than an acknowledgement'));
      return;
    }
    if (ack.error) {
      pending.reject(
        new Error(`JetStream refused the message: ${ack.error.description} (${ack.error.code})`),
      );
    } else if (!ack.stream) {
      pending.reject(new Error('JetStream answered with an invalid acknowledgement'));
    } else {
      pending.resolve({ duplicate: ack.duplicate === true });
    }
  }

  private failAll(error: Error): void {
    for (const [token, pending] of this.pending) {
      this.pending.delete(token);
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }
}
