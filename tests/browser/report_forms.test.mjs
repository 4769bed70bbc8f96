// report_forms.test.mjs — a report regime's form on a phone: the commune's officer opens the
// quarterly digital-transformation report from the desk, sees a wrong figure named beside its
// field, fixes it and submits (late: the quarter's deadline has passed); the commune's leader finds
// it waiting, cannot return it without a note, then approves it; the province's leader sees the
// communes' states and the approved figures consolidated.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, noOverflow, phonePage, ready, shot, signIn as signInAt, text } from './browser.mjs';
import { PASSWORD, startServer } from '../e2e/harness.mjs';

let srv, browser;
before(async () => {
  srv = await startServer();
  browser = await launchChromium();
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const signIn = (page, user, landing) => signInAt(page, srv.url, user, PASSWORD, landing);
const PERIOD = '2026-Q1'; // 15 Dec 2025 – 14 Mar 2026, due by the end of 19 March 2026

test('an officer fills in and submits the form, the leader approves it, the province sees it consolidated', async () => {
  const officer = await phonePage(browser);
  const p = officer.page;
  await signIn(p, 'canbo.xa', /desk\.html/);
  await p.getByTestId('desk-report-forms').click();
  await p.waitForURL(/report-form\.html/);
  await ready(p);
  await p.getByTestId('rf-period').fill(PERIOD);
  assert.equal(await p.getByTestId('rf-unit').inputValue(), '14038'); // the officer's commune
  await p.getByTestId('rf-open').click();
  await p.getByTestId('rf-fields').waitFor();
  assert.equal(await text(p.getByTestId('rf-state')), 'Chưa nhập');
  assert.equal(await text(p.getByTestId('rf-deadline')), 'Hạn nộp: 20/03/2026 00:00'); // the end of 19 March, Vietnam time
  const fill = async (figures) => {
    for (const [id, v] of Object.entries(figures)) await p.getByTestId(`rf-input-${id}`).fill(String(v));
  };
  await fill({ households: 100, households_fibre: 120, adults: 300, adults_epay: 180, digital_economy_share: 12.5 });
  await p.getByTestId('rf-submit').click();
  await p.getByTestId('rf-error-households_fibre').waitFor();
  assert.equal(await text(p.getByTestId('rf-error-households_fibre')), 'households_fibre (120) không được lớn hơn households (100)');
  assert.equal(await p.getByTestId('rf-input-households_fibre').getAttribute('aria-invalid'), 'true');
  assert.equal(await text(p.getByTestId('rf-state')), 'Chưa nhập'); // nothing was saved
  await fill({ households_fibre: 80 });
  await p.getByTestId('rf-submit').click();
  await p.getByTestId('rf-done').waitFor({ state: 'visible' });
  assert.equal(await text(p.getByTestId('rf-done')), 'Đã nộp báo cáo.');
  assert.equal(await text(p.getByTestId('rf-state')), 'Đã nộp');
  assert.equal(await text(p.getByTestId('rf-late')), 'Nộp muộn');
  assert.equal(await text(p.getByTestId('rf-computed-fibre_share')), '80 %'); // 80 of 100 households
  assert.equal(await text(p.getByTestId('rf-computed-epay_share')), '60 %'); // 180 of 300 adults
  assert.equal(await p.getByTestId('rf-submit').count(), 0); // locked once submitted
  assert.equal(await p.getByTestId('rf-input-households').isDisabled(), true);
  await noOverflow(p, 390, 'the report form');
  await shot(p, 'report-form');
  await officer.done();

  const leader = await phonePage(browser);
  const l = leader.page;
  await signIn(l, 'lanhdao.xa', /desk\.html/);
  await l.goto(srv.url + '/report-form.html');
  await ready(l);
  const waiting = l.getByTestId('rf-reminder').filter({ hasText: 'Chờ duyệt' });
  assert.equal(await waiting.count(), 1);
  assert.match(await text(waiting), new RegExp(PERIOD));
  await waiting.getByTestId('rf-reminder-open').click();
  await l.getByTestId('rf-approve').waitFor();
  await l.getByTestId('rf-return').click(); // no note
  await l.getByTestId('rf-error').waitFor({ state: 'visible' });
  assert.equal(await text(l.getByTestId('rf-error')), 'Hãy nêu lý do trả lại (note)');
  await l.getByTestId('rf-approve').click();
  await l.getByTestId('rf-done').waitFor({ state: 'visible' });
  assert.equal(await text(l.getByTestId('rf-state')), 'Đã duyệt');
  await waiting.waitFor({ state: 'detached' }); // nothing left to approve
  await leader.done();

  const province = await phonePage(browser);
  const v = province.page;
  await signIn(v, 'lanhdao', /desk\.html/);
  await v.goto(`${srv.url}/report-form.html?regime=cds-quarterly&period=${PERIOD}&unit=37`);
  await ready(v);
  await v.getByTestId('rf-overview').waitFor();
  assert.equal(await text(v.getByTestId('rf-counts')), 'Phải nộp: 129 · đã nộp: 1 · đã duyệt: 1 · chưa nộp: 128');
  assert.equal(await text(v.getByTestId('rf-late-list')), 'Nộp muộn: 14038');
  assert.equal(await text(v.getByTestId('rf-total-households')), '100');
  assert.equal(await text(v.getByTestId('rf-total-epay_share')), '60');
  const row = v.getByTestId('rf-unit-row');
  assert.equal(await row.count(), 1);
  assert.match(await text(row), /Xã Ninh Giang \(14038\) Đã duyệt Nộp muộn/);
  await v.getByTestId('lang-en').click();
  assert.equal(await text(v.getByTestId('rf-counts')), 'Expected: 129 · submitted: 1 · approved: 1 · not submitted: 128');
  await noOverflow(v, 390, 'the overview');
  await shot(v, 'report-overview');
  await province.done();
});
