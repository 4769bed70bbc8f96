// notify.test.mjs — applicants hear of every status change: in their inbox, and by e-mail through
// an SMTP relay (a small SMTP sink on loopback plays the relay here).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { api, freePort, login, startServer, upload } from './harness.mjs';

/** A minimal SMTP server that keeps the messages it is given. */
function smtpSink(port) {
  const mails = [];
  const server = createServer((sock) => {
    let buf = '', data = false, mail = { rcpt: [], text: '' };
    const say = (l) => sock.write(l + '\r\n');
    say('220 sink ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data) {
          if (line === '.') { data = false; mails.push(mail); mail = { rcpt: [], text: '' }; say('250 OK queued'); } else mail.text += line + '\n';
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') say('250 sink');
        else if (cmd === 'MAIL') { mail.from = line; say('250 OK'); }
        else if (cmd === 'RCPT') { mail.rcpt.push(line.replace(/^RCPT TO:/i, '')); say('250 OK'); }
        else if (cmd === 'DATA') { data = true; say('354 go ahead'); }
        else if (cmd === 'QUIT') { say('221 bye'); sock.end(); }
        else say('250 OK');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok({ mails, close: () => server.close() })));
}

test('each status change reaches the applicant by e-mail and in the inbox', async () => {
  const port = await freePort();
  const sink = await smtpSink(port);
  const srv = await startServer({ env: { TRONDOI_SMTP_URL: `smtp://127.0.0.1:${port}`, TRONDOI_SMTP_FROM: 'motcua@ninhbinh.gov.vn' } });
  try {
    const U = srv.url;
    const dan = await login(U, 'dan'), officer = await login(U, 'canbo.xa');
    const me = (await api(U, 'GET', '/api/v1/me', { token: dan })).json;
    assert.equal((await api(U, 'PATCH', `/api/v1/citizens/${me.id}/attributes/email`, { token: dan, body: { value: 'dan@example.vn' } })).status, 200);
    const code = (await api(U, 'POST', '/api/v1/dossiers', { token: dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).json.code;
    await upload(U, dan, code, 'marital_status_request_form');
    assert.equal((await api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token: officer, body: { to: 2, note: 'đủ hồ sơ' } })).status, 200);
    let inbox;
    for (let i = 0; i < 100; i++) {
      inbox = (await api(U, 'GET', '/api/v1/me/notifications', { token: dan })).json.notifications.filter((n) => n.code === code);
      if (inbox.length === 2 && inbox.every((n) => n.email.sent_at)) break;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    assert.deepEqual(inbox.map((n) => n.status), [2, 1]); // newest first
    assert.equal(inbox[0].status_name.vi, 'Được tiếp nhận');
    assert.equal(inbox[0].note, 'đủ hồ sơ');
    assert.ok(inbox.every((n) => n.email.to === 'dan@example.vn' && n.email.sent_at), JSON.stringify(inbox));
    const mails = sink.mails.filter((m) => m.text.includes(code));
    assert.equal(mails.length, 2);
    assert.ok(mails.every((m) => m.rcpt[0].includes('dan@example.vn')));
    const subject = /^Subject: =\?UTF-8\?B\?([^?]+)\?=$/m.exec(mails[1].text)[1];
    assert.equal(Buffer.from(subject, 'base64').toString('utf8'), `Hồ sơ ${code}: Được tiếp nhận`);
    assert.match(mails[1].text, /Your dossier .*: Accepted\./);
  } finally {
    const r = await srv.stop();
    sink.close();
    assert.equal(r.code, 0, r.stderr.slice(-2000));
  }
});

test('without an e-mail address the message stays in the inbox', async () => {
  const srv = await startServer();
  try {
    const U = srv.url;
    const dan = await login(U, 'dan');
    const code = (await api(U, 'POST', '/api/v1/dossiers', { token: dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).json.code;
    const inbox = (await api(U, 'GET', '/api/v1/me/notifications', { token: dan })).json.notifications;
    assert.ok(inbox.some((n) => n.code === code && n.status === 1 && n.email.sent_at === null));
    assert.equal((await api(U, 'GET', '/api/v1/me/notifications', { token: await login(U, 'canbo.xa') })).status, 403);
  } finally {
    await srv.stop();
  }
});
