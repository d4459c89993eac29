// A local SMTP catcher for `npm start`: accepts every mail on 127.0.0.1:1025 (no TLS, no auth), keeps the last 500
// in memory and shows them on http://127.0.0.1:1080 (a list; /mails.json as JSON; /mails/<n>.html the HTML part).
import { createServer } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const escape = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

/** Starts both listeners; resolves to { smtpUrl, webUrl, mails, close() }. */
export async function startSmtpCatcher({ smtpPort = 1025, httpPort = 1080, host = '127.0.0.1' } = {}) {
  const mails = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.unshift({
            n: mails.length + 1,
            at: new Date().toISOString(),
            from: session.envelope.mailFrom?.address ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          mails.length = Math.min(mails.length, 500);
          callback();
        })
        .catch(callback);
    },
  });
  const web = createServer((req, res) => {
    if (req.url === '/mails.json') {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      return res.end(JSON.stringify(mails));
    }
    const html = /^\/mails\/(\d+)\.html$/.exec(req.url ?? '');
    if (html) {
      const mail = mails.find((m) => m.n === Number(html[1]));
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.statusCode = mail ? 200 : 404;
      return res.end(mail?.html || escape(mail?.text ?? 'not found'));
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!doctype html><meta charset="utf-8"><title>Wandelwerk mails</title><h1>${mails.length} mails</h1>` +
        mails
          .map(
            (m) =>
              `<details><summary>${escape(m.at)} → ${escape(m.to.join(', '))}: <b>${escape(m.subject)}</b> ` +
              `(<a href="/mails/${m.n}.html">HTML</a>)</summary><pre>${escape(m.text)}</pre></details>`,
          )
          .join(''),
    );
  });
  await new Promise((resolve, reject) => smtp.listen(smtpPort, host, resolve).once('error', reject));
  await new Promise((resolve, reject) => web.listen(httpPort, host, resolve).once('error', reject));
  return {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    webUrl: `http://${host}:${httpPort}`,
    mails,
    close: () =>
      Promise.all([
        new Promise((resolve) => smtp.close(resolve)),
        new Promise((resolve) => {
          web.closeAllConnections();
          web.close(resolve);
        }),
      ]),
  };
}
