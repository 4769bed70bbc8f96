// notify.test.mjs — applicants hear of every status change: in their inbox, by e-mail through an
// SMTP relay and by SMS through an HTTP gateway (small sinks on loopback play the relay and the
// gateway here).
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { test } from 'node:test';
import { api, cli, freePort, login, smtpSink, startServer, upload } from './harness.mjs';

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

/** An SMS gateway that keeps every request ({status, headers, body}) and answers 500 to the first
 * `failFirst` of them, 200 to the rest. */
function smsSink(failFirst = 0) {
  const requests = [];
  const server = createHttpServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const status = requests.length < failFirst ? 500 : 200;
      let body;
      try { body = JSON.parse(raw); } catch { body = { raw }; }
      requests.push({ status, method: req.method, headers: req.headers, body, bytes: Buffer.byteLength(raw) });
      res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"ok":true}' : '{"error":"busy"}');
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ requests, url: `http://127.0.0.1:${server.address().port}/sms`, close: () => server.close() })));
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Polls the citizen's inbox for one dossier until done(messages) holds (or ~20 s pass). */
async function inboxUntil(U, token, code, done) {
  let inbox = [];
  for (let i = 0; i < 200; i++) {
    inbox = (await api(U, 'GET', '/api/v1/me/notifications', { token })).json.notifications.filter((n) => n.code === code);
    if (done(inbox)) break;
    await sleep(100);
  }
  return inbox;
}

test('each status change reaches the applicant by SMS once, retried after a gateway failure, beside e-mail', async () => {
  const smtpPort = await freePort();
  const mail = await smtpSink(smtpPort);
  const sms = await smsSink(1);
  const srv = await startServer({ env: { TRONDOI_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, TRONDOI_SMS_URL: sms.url, TRONDOI_SMS_TOKEN: 'sms-secret' } });
  try {
    const U = srv.url;
    const dan = await login(U, 'dan'), officer = await login(U, 'canbo.xa');
    const me = (await api(U, 'GET', '/api/v1/me', { token: dan })).json;
    for (const [name, value] of [['phone', '0912345678'], ['email', 'dan@example.vn']])
      assert.equal((await api(U, 'PATCH', `/api/v1/citizens/${me.id}/attributes/${name}`, { token: dan, body: { value } })).status, 200);
    const code = (await api(U, 'POST', '/api/v1/dossiers', { token: dan, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).json.code;
    await upload(U, dan, code, 'marital_status_request_form');
    assert.equal((await api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token: officer, body: { to: 2, note: 'đủ hồ sơ' } })).status, 200);
    const longNote = 'Đề nghị bổ sung bản sao giấy khai sinh có chứng thực. '.repeat(12); // ~700 bytes: the SMS is clipped
    assert.equal((await api(U, 'POST', `/api/v1/dossiers/${code}/transitions`, { token: officer, body: { to: 5, note: longNote } })).status, 200);
    const inbox = await inboxUntil(U, dan, code, (l) => l.length === 3 && l.every((n) => n.sms.sent_at && n.email.sent_at));
    await sleep(1500); // three more sender rounds: nothing is sent again
    assert.deepEqual(inbox.map((n) => n.status), [5, 2, 1]);
    for (const n of inbox) {
      assert.equal(n.sms.to, '0912345678', JSON.stringify(n));
      assert.ok(n.sms.sent_at && n.sms.error === null, JSON.stringify(n)); // the failure is cleared by the retry's success
      assert.equal(n.email.to, 'dan@example.vn');
    }
    const posts = sms.requests.filter((r) => r.body.text?.includes(code));
    assert.equal(posts.length, 4, JSON.stringify(posts)); // one refused, then one per status change
    assert.equal(posts[0].status, 500);
    const sent = posts.filter((r) => r.status === 200);
    assert.deepEqual(sent.map((r) => r.body.id).sort(), inbox.map((n) => n.id).sort()); // no duplicate after the retry
    assert.ok(sent.some((r) => r.body.id === posts[0].body.id), 'the refused message is the one retried');
    for (const r of posts) {
      assert.equal(r.method, 'POST');
      assert.equal(r.headers['idempotency-key'], r.body.id);
      assert.equal(r.headers.authorization, 'Bearer sms-secret');
      assert.match(r.headers['content-type'], /^application\/json/);
      assert.equal(r.body.to, '0912345678');
      assert.ok(Buffer.byteLength(r.body.text) <= 300, r.body.text);
    }
    const byStatus = (s) => sent.find((r) => r.body.id === inbox.find((n) => n.status === s).id).body.text;
    assert.equal(byStatus(2), `Hồ sơ/Dossier ${code}: Được tiếp nhận / Accepted. Ghi chú/Note: đủ hồ sơ`);
    assert.match(byStatus(5), /Yêu cầu bổ sung giấy tờ \/ Supplement requested\. Ghi chú\/Note: Đề nghị bổ sung .*…$/);
    assert.equal(mail.mails.filter((m) => m.text.includes(code)).length, 3); // e-mail went once each, on its own
  } finally {
    const r = await srv.stop();
    sms.close();
    mail.close();
    assert.equal(r.code, 0, r.stderr.slice(-2000));
  }
});

test('without a phone number in the registry no SMS is posted and the inbox says why', async () => {
  const sms = await smsSink();
  const srv = await startServer({ env: { TRONDOI_SMS_URL: sms.url } });
  try {
    const U = srv.url;
    const officer = await login(U, 'canbo.xa');
    const commune = (await api(U, 'GET', '/api/v1/auth/session', { token: officer })).json.unit;
    const v = (value) => ({ value, source: 'civil-status', verified: true });
    const attributes = { full_name: v('Trần Thị Bích Ngọc'), date_of_birth: v('1995-04-30'), sex: v('female'), ethnicity: v('Kinh'),
      nationality: v('Việt Nam'), marital_status: v('single'), permanent_address: v({ unit: commune, street: 'Xóm 1' }) };
    const made = await api(U, 'POST', '/api/v1/citizens', { token: officer, body: { id: '036195001234', attributes } });
    assert.equal(made.status, 201, made.text);
    const add = cli(['user', 'add', '--db', srv.db, '--username', 'ngoc', '--role', 'citizen', '--citizen', '036195001234', '--password-stdin'], { input: 'trondoi-demo\n' });
    assert.equal(add.status, 0, add.stderr);
    const ngoc = await login(U, 'ngoc');
    const body = { procedure: '1.004873', fields: { purpose: 'loan', applicant_phone: '0912345678' } }; // the form's phone is not the registry's
    const code = (await api(U, 'POST', '/api/v1/dossiers', { token: ngoc, body })).json.code;
    const inbox = await inboxUntil(U, ngoc, code, (l) => l.length === 1 && l[0].sms.error);
    await sleep(1000); // not retried
    assert.deepEqual(inbox[0].sms, { to: null, sent_at: null, error: 'no phone number' });
    assert.equal(inbox[0].email.sent_at, null);
    assert.equal(sms.requests.filter((r) => JSON.stringify(r.body).includes(code)).length, 0);
  } finally {
    const r = await srv.stop();
    sms.close();
    assert.equal(r.code, 0, r.stderr.slice(-2000));
  }
});
