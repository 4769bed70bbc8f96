// report_reminders.test.mjs — reminders of report forms go out by e-mail to the officers and
// leaders who have a work address: one message per form, person and stage (due or overdue, to
// approve), never twice, even after a restart. A small SMTP sink on loopback plays the relay.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, cli, freePort, login, smtpSink, startServer } from './harness.mjs';

let sink, srv, env, commune;
const t = {};
const to = (who) => sink.mails.filter((m) => m.rcpt.includes(`<${who}@motcua.trondoi.local>`));
const subject = (m) => Buffer.from(/^Subject: =\?UTF-8\?B\?([^?]+)\?=/m.exec(m.text)?.[1] ?? '', 'base64').toString('utf8');
async function until(check, what) {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.fail(`not reached: ${what}`);
}

before(async () => {
  const port = await freePort();
  sink = await smtpSink(port);
  env = { TRONDOI_SMTP_URL: `smtp://127.0.0.1:${port}`, TRONDOI_SMTP_FROM: 'baocao@ninhbinh.gov.vn' };
  srv = await startServer({ env });
  for (const u of ['canbo.xa', 'lanhdao.xa']) t[u] = await login(srv.url, u);
  commune = (await api(srv.url, 'GET', '/api/v1/auth/session', { token: t['canbo.xa'] })).json.unit;
});
after(async () => {
  await srv.stop();
  sink.close();
});

test('the officer hears of each form due or overdue', async () => {
  const officer = (await api(srv.url, 'GET', '/api/v1/report-forms/reminders', { token: t['canbo.xa'] })).json.reminders;
  // some quarter is always in its window: from 3 days before its deadline to 90 days after it
  assert.ok(officer.length >= 1);
  await until(() => to('canbo.xa').length >= officer.length, 'the officer\'s reminders sent');
  assert.equal(to('canbo.xa').length, officer.length); // one per form due or overdue
  for (const r of officer) {
    const stage = r.overdue ? 'đã quá hạn nộp' : 'sắp đến hạn nộp';
    assert.ok(to('canbo.xa').some((m) => subject(m).endsWith(`kỳ ${r.period}: ${stage}`)), `${r.period} ${stage}`);
  }
  assert.ok(to('canbo.xa').every((m) => /report-form\.html\?regime=cds-quarterly&period=20\d\d-Q\d/.test(m.text)));
  // staff without a work address get nothing
  assert.ok(sink.mails.every((m) => m.rcpt.every((r) => /@motcua\.trondoi\.local>$/.test(r))));
});

test('the leader hears of a form waiting for approval, once', async () => {
  const U = srv.url;
  const sentToOfficer = to('canbo.xa').length;
  const form = `/api/v1/report-forms/cds-quarterly/2026-Q3/${commune}`;
  const figures = { households: 100, households_fibre: 80, adults: 300, adults_epay: 200 };
  assert.equal((await api(U, 'PUT', form, { token: t['canbo.xa'], body: { figures } })).status, 200);
  assert.equal((await api(U, 'POST', `${form}/transitions`, { token: t['canbo.xa'], body: { to: 'submitted' } })).status, 200);
  // the server looks for reminders every ten minutes and when it starts: restart it
  await srv.stop({ keep: true });
  srv = await startServer({ dir: srv.dir, init: false, env });
  const name = (await api(srv.url, 'GET', '/api/v1/report-regimes', { token: await login(srv.url, 'lanhdao.xa') })).json.regimes
    .find((r) => r.id === 'cds-quarterly').name.vi;
  const approve = () => to('lanhdao.xa').map(subject).filter((x) => x.endsWith('phê duyệt'));
  await until(() => approve().length >= 1, 'the leader\'s reminder sent');
  // (the leader, staff of the unit too, may also have heard the form was due or overdue before)
  assert.deepEqual(approve(), [`${name} kỳ 2026-Q3: chờ lãnh đạo phê duyệt`]);
  assert.equal(to('canbo.xa').length, sentToOfficer);
});

test('never twice: after another restart nothing new goes out', async () => {
  const before = sink.mails.length;
  await srv.stop({ keep: true });
  srv = await startServer({ dir: srv.dir, init: false, env });
  await new Promise((ok) => setTimeout(ok, 1500)); // a few delivery rounds
  assert.equal(sink.mails.length, before);
});

test('an officer\'s address is checked when the account is made', () => {
  const bad = cli(['user', 'add', '--db', srv.db, '--username', 'canbo.moi', '--role', 'officer', '--unit', commune, '--email', 'canbo moi@x.vn',
    '--password-stdin'], { input: 'mat-khau-du-dai\n' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /e-mail address/);
  const citizen = cli(['user', 'add', '--db', srv.db, '--username', 'dan.hai', '--role', 'citizen', '--citizen', '037000000000', '--email', 'a@b.vn',
    '--password-stdin'], { input: 'mat-khau-du-dai\n' });
  assert.equal(citizen.status, 1);
});
