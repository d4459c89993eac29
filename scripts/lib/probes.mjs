// Raw protocol checks of PostgreSQL, NATS (with JetStream) and Redis, with Node built-ins only, so that they work
// before `npm ci` has run. Each resolves to { state, detail }, never rejects:
//   'ok'      the server answers its protocol (and, for NATS, JetStream answers)
//   'down'    nothing accepts connections there (refused or timed out): something may be started on that port
//   'wrong'   something answers there, but not as expected (another program, no JetStream, auth needed, ...)
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';

const CONNECT_TIMEOUT_MS = 1500;
const ANSWER_TIMEOUT_MS = 3000;

/** host/port of a URL; IPv6 literals lose their brackets. */
export function endpoint(url, defaultPort) {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { host, port: Number(u.port || defaultPort) };
}

export const isLoopback = (host) =>
  host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * Opens a socket and feeds everything it receives to `onData(buffer, socket, finish)` until `finish(result)` is
 * called. Connection failures resolve to 'down'; a silent or closed peer to 'wrong'.
 */
function converse({ host, port, secure = false }, { onConnect, onData, silent }) {
  return new Promise((resolve) => {
    let settled = false;
    let buffer = Buffer.alloc(0);
    let connected = false;
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host })
      : net.connect({ host, port });
    const finish = (state, detail) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ state, detail });
    };
    let timer = setTimeout(
      () => finish('down', `no connection to ${host}:${port} within ${CONNECT_TIMEOUT_MS} ms`),
      CONNECT_TIMEOUT_MS,
    );
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      connected = true;
      clearTimeout(timer);
      timer = setTimeout(() => finish('wrong', silent), ANSWER_TIMEOUT_MS);
      onConnect?.(socket);
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      buffer = onData(buffer, socket, finish) ?? Buffer.alloc(0);
    });
    socket.on('error', (error) => {
      if (connected) finish('wrong', `${host}:${port}: ${error.message}`);
      else
        finish(
          'down',
          `${host}:${port}: ${error.code === 'ECONNREFUSED' ? 'connection refused' : error.message}`,
        );
    });
    socket.on('close', () => finish(connected ? 'wrong' : 'down', `${host}:${port} closed the connection`));
  });
}

/** PostgreSQL: an SSLRequest is answered with one byte, 'S' or 'N', by every PostgreSQL server. */
export function probePostgres(url) {
  const { host, port } = endpoint(url, 5432);
  const request = Buffer.alloc(8);
  request.writeInt32BE(8, 0);
  request.writeInt32BE(80877103, 4);
  return converse(
    { host, port },
    {
      silent: `something accepts connections on ${host}:${port} but does not answer like PostgreSQL`,
      onConnect: (socket) => socket.write(request),
      onData: (buffer, _socket, finish) => {
        const reply = String.fromCharCode(buffer[0]);
        if (reply === 'S' || reply === 'N') finish('ok', `${host}:${port}`);
        else finish('wrong', `${host}:${port} answers, but not like PostgreSQL`);
      },
    },
  );
}

/** Redis: optional AUTH (from the URL), then PING, expecting +PONG. */
export function probeRedis(url) {
  const u = new URL(url);
  const { host, port } = endpoint(url, 6379);
  const command = (...parts) =>
    `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
  const password = decodeURIComponent(u.password);
  const user = decodeURIComponent(u.username);
  const auth = password ? (user ? command('AUTH', user, password) : command('AUTH', password)) : '';
  let expectAuth = Boolean(auth);
  return converse(
    { host, port, secure: u.protocol === 'rediss:' },
    {
      silent: `something accepts connections on ${host}:${port} but does not answer like Redis`,
      onConnect: (socket) => socket.write(auth + command('PING')),
      onData: (buffer, _socket, finish) => {
        let text = buffer.toString('latin1');
        while (text.includes('\r\n')) {
          const line = text.slice(0, text.indexOf('\r\n'));
          text = text.slice(line.length + 2);
          if (expectAuth) {
            expectAuth = false;
            if (line !== '+OK')
              return finish(
                'wrong',
                `Redis at ${host}:${port} refused the credentials of REDIS_URL: ${line.slice(1)}`,
              );
          } else if (line === '+PONG') {
            return finish('ok', `${host}:${port}`);
          } else if (line.startsWith('-NOAUTH')) {
            return finish(
              'wrong',
              `Redis at ${host}:${port} needs a password: put it in REDIS_URL (redis://:PASSWORD@host:port)`,
            );
          } else if (line.startsWith('-LOADING')) {
            return finish('wrong', `Redis at ${host}:${port} is still loading its data set`);
          } else {
            return finish(
              'wrong',
              `${host}:${port} answers, but not like Redis (${JSON.stringify(line.slice(0, 60))})`,
            );
          }
        }
        return Buffer.from(text, 'latin1');
      },
    },
  );
}

/**
 * NATS with JetStream: read the server's INFO line (nats-server 2.9 says `"jetstream":true` there when JetStream is
 * enabled), CONNECT with the credentials of the URL, then ask `$JS.API.INFO` over request/reply: an account info
 * answer means JetStream works for this account; a 503 (no responders) or an error object means it does not.
 * Of a comma-separated list of URLs, the first one that answers counts.
 */
export async function probeNats(urls) {
  let last;
  for (const url of urls
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    last = await probeOneNats(url);
    if (last.state === 'ok') return last;
  }
  return last;
}

function probeOneNats(url) {
  const u = new URL(url);
  const { host, port } = endpoint(url, 4222);
  const inbox = `_INBOX.${randomBytes(8).toString('hex')}`;
  let phase = 'info';
  return converse(
    { host, port },
    {
      silent: `something accepts connections on ${host}:${port} but does not answer like NATS`,
      onData: (buffer, socket, finish) => {
        for (;;) {
          const eol = buffer.indexOf('\r\n');
          if (eol < 0) return buffer;
          const line = buffer.subarray(0, eol).toString('utf8');
          if (phase === 'info') {
            if (!line.startsWith('INFO '))
              return finish('wrong', `${host}:${port} answers, but not like NATS`);
            let info;
            try {
              info = JSON.parse(line.slice(5));
            } catch {
              return finish('wrong', `${host}:${port} sent an unreadable NATS INFO line`);
            }
            if (info.jetstream !== true) {
              return finish(
                'wrong',
                `NATS ${info.version ?? ''} at ${host}:${port} runs without JetStream (start it with -js)`,
              );
            }
            if (u.protocol === 'tls:' || info.tls_required) {
              return finish('ok', `${host}:${port} (TLS; JetStream announced in INFO, not queried)`);
            }
            const user = decodeURIComponent(u.username);
            const pass = decodeURIComponent(u.password);
            const credentials = pass ? { user, pass } : user ? { auth_token: user } : {};
            if (info.auth_required && !user) {
              return finish(
                'wrong',
                `NATS at ${host}:${port} requires authentication: put it in NATS_URL (nats://user:pass@host:port)`,
              );
            }
            const connect = {
              verbose: false,
              pedantic: false,
              headers: true,
              no_responders: true,
              lang: 'wandelwerk-infra-check',
              version: '1',
              protocol: 1,
              ...credentials,
            };
            socket.write(
              `CONNECT ${JSON.stringify(connect)}\r\nSUB ${inbox} 1\r\nPUB $JS.API.INFO ${inbox} 0\r\n\r\nPING\r\n`,
            );
            phase = 'reply';
            buffer = buffer.subarray(eol + 2);
            continue;
          }
          if (line === 'PING') {
            socket.write('PONG\r\n');
          } else if (line.startsWith('-ERR')) {
            return finish('wrong', `NATS at ${host}:${port} refused us: ${line.slice(5)}`);
          } else if (line.startsWith('MSG ') || line.startsWith('HMSG ')) {
            const parts = line.split(' ');
            const total = Number(parts[parts.length - 1]);
            const headerBytes = line.startsWith('HMSG ') ? Number(parts[parts.length - 2]) : 0;
            if (buffer.length < eol + 2 + total + 2) return buffer; // wait for the whole message
            const headers = buffer.subarray(eol + 2, eol + 2 + headerBytes).toString('utf8');
            const payload = buffer.subarray(eol + 2 + headerBytes, eol + 2 + total).toString('utf8');
            if (/^NATS\/1\.0 503/.test(headers)) {
              return finish(
                'wrong',
                `NATS at ${host}:${port} announces JetStream but nothing answers $JS.API (not enabled for this account?)`,
              );
            }
            try {
              const answer = JSON.parse(payload);
              if (answer.error) {
                return finish(
                  'wrong',
                  `JetStream at ${host}:${port} answered: ${answer.error.description ?? JSON.stringify(answer.error)}`,
                );
              }
            } catch {
              return finish('wrong', `JetStream at ${host}:${port} sent an unreadable answer`);
            }
            return finish('ok', `${host}:${port}`);
          }
          buffer = buffer.subarray(eol + 2);
        }
      },
    },
  );
}
