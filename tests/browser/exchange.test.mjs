// exchange.test.mjs — the data exchange in a real browser at phone size: the citizen finds the
// agencies' exchanges that carried their ID beside the local reads (answered and refused, with
// purpose and legal basis) and objects to one; the admin's page lists the node, members,
// services, grants and that objection, and answers it; the citizen reads the answer, and pages
// through older exchanges with "more".
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { after, before, test } from 'node:test';
import { launchChromium, noOverflow, phonePage, shot, signIn, text, WIDTH } from './browser.mjs';
import { api, cli, login, PASSWORD, startServer } from '../e2e/harness.mjs';

const PERSON = 'VN/GOV/BCA/CSDLQGDC/person/v1';
const CLIENT = 'VN/GOV/UBND36/MOTCUA';
let srv, browser, dan;
const { publicKey, privateKey } = generateKeyPairSync('ed25519');

async function xcall(body, issue) {
  const path = '/x/GOV/BCA/CSDLQGDC/person/v1';
  const text = JSON.stringify(body);
  const h = { 'x-road-client': CLIENT, 'x-road-id': `b-${Math.random()}`, 'x-road-userid': 'canbo.xa', 'x-road-issue': issue,
    'x-road-date': new Date().toISOString(), 'content-type': 'application/json' };
  const s = ['trondoi-xroad-1', 'POST', path, h['x-road-client'], h['x-road-id'], h['x-road-userid'], h['x-road-issue'],
    h['x-road-date'], createHash('sha256').update(text).digest('hex')].join('\n');
  h['x-road-signature'] = sign(null, Buffer.from(s), privateKey).toString('base64');
  return api(srv.url, 'POST', path, { headers: h, raw: text });
}

before(async () => {
  srv = await startServer();
  browser = await launchChromium();
  dan = (await api(srv.url, 'GET', '/api/v1/auth/session', { token: await login(srv.url, 'dan') })).json.citizen_id;
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  for (const args of [['member', '--id', 'VN/GOV/UBND36', '--name', 'UBND tỉnh (một cửa)', '--public-key', pub, '--subsystem', 'MOTCUA'],
    ['grant', '--client', CLIENT, '--service', PERSON, '--purposes', 'RESIDENCE']]) {
    assert.equal(cli(['exchange', ...args, '--db', srv.db]).status, 0);
  }
  assert.equal((await xcall({ id: dan }, 'RESIDENCE:000.00.36-251125-0001')).status, 200);
  assert.equal((await xcall({ id: dan }, 'CRIMINAL_INVESTIGATION')).status, 403);
  // and a local read: the commune's officer opens dan's record
  const read = await api(srv.url, 'GET', `/api/v1/citizens/${dan}`, { token: await login(srv.url, 'canbo.xa') });
  assert.equal(read.status, 200, read.text);
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('the citizen sees the exchanges that carried their ID, and objects to one', async () => {
  const { page, done } = await phonePage(browser);
  await signIn(page, srv.url, 'dan', PASSWORD, /me\.html/);
  const entries = page.getByTestId('exchange-entry');
  await entries.first().waitFor();
  assert.equal(await entries.count(), 2);
  // on the same page as the local reads
  await page.getByTestId('usage-entry').filter({ hasText: 'canbo.xa' }).first().waitFor();
  // newest first: the refused investigation, then the residence read
  assert.equal(await text(entries.nth(0).getByTestId('exchange-result')), 'Bị từ chối (403)');
  const read = entries.nth(1);
  assert.equal(await text(read.getByTestId('exchange-agency')), 'VN/GOV/UBND36');
  assert.equal(await text(read.getByTestId('exchange-service')), PERSON);
  assert.equal(await text(read.getByTestId('exchange-purpose')), 'Đăng ký cư trú (RESIDENCE)');
  assert.equal(await text(read.getByTestId('exchange-result')), 'Đã cung cấp dữ liệu');
  assert.match(await text(read), /Luật Cư trú 2020/);
  assert.ok(!(await text(read)).includes('canbo.xa'), 'the officer is not shown');
  await noOverflow(page, WIDTH, 'my data with exchanges');

  await read.getByTestId('object-open').click();
  await read.getByTestId('object-send').click();
  assert.equal(await text(read.getByTestId('object-error')), 'Vui lòng nêu lý do phản đối.');
  await read.getByTestId('object-reason').fill('Tôi không nộp hồ sơ cư trú nào.');
  await read.getByTestId('object-send').click();
  await read.getByTestId('exchange-objected').waitFor();
  const cases = await api(srv.url, 'GET', '/api/v1/exchange/objections', { token: await login(srv.url, 'baove.dulieu') });
  assert.equal(cases.json.objections.length, 1);
  assert.equal(cases.json.objections[0].reason, 'Tôi không nộp hồ sơ cư trú nào.');
  assert.match(await text(read.getByTestId('exchange-objected')), /^Đã phản đối — cán bộ bảo vệ dữ liệu trả lời trước \d\d\/\d\d\/\d{4} 17:00$/);
  await page.getByTestId('lang-en').click();
  assert.equal(await text(read.getByTestId('exchange-purpose')), 'Residence registration (RESIDENCE)');
  await shot(page, 'exchange-citizen');
  await done();
});

/** Answers the one open objection on the exchange page, upholding it, after trying it empty. */
async function answerObjection(page) {
  await page.getByTestId('objection-send').click();
  assert.equal(await text(page.getByTestId('objection-error')), 'Vui lòng nhập câu trả lời.');
  await page.getByTestId('objection-answer').fill('Cuộc gọi không có hồ sơ kèm theo; đã yêu cầu đơn vị giải trình.');
  await page.getByTestId('objection-upheld').check();
  await page.getByTestId('objection-send').click();
  await page.getByTestId('objection-answered').waitFor();
  assert.match(await text(page.getByTestId('objection-answered')), /^Phản đối được chấp nhận.*đã yêu cầu đơn vị giải trình\..*baove\.dulieu/s);
  await noOverflow(page, WIDTH, 'the exchange page with an answer');
}

/** Signs user in on the sign-in page and follows the link to the exchange page. */
async function openExchangePage(page, user) {
  await page.goto(srv.url + '/');
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('staff-exchange').click();
  await page.waitForURL(/exchange\.html/);
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
}

test('the admin opens the exchange page from the sign-in page: node, members, services, grants; the objections are the DPO\'s', async () => {
  const { page, done } = await phonePage(browser);
  await openExchangePage(page, 'quantri');
  assert.equal(await text(page.getByTestId('node-id')), 'VN/GOV/36');
  assert.equal(await text(page.getByTestId('node-signing')), 'Đang ký');
  const members = await page.getByTestId('members-row').allInnerTexts();
  assert.equal(members.length, 5); // four sample providers and the client
  assert.ok(members.some((m) => m.includes('VN/GOV/UBND36') && m.includes('UBND tỉnh (một cửa)')));
  assert.equal(await page.getByTestId('services-row').count(), 4);
  const grants = await page.getByTestId('grants-row').allInnerTexts();
  assert.equal(grants.length, 1);
  assert.match(grants[0].replace(/\s+/g, ' '), /VN\/GOV\/UBND36\/MOTCUA VN\/GOV\/BCA\/CSDLQGDC\/person\/v1 RESIDENCE/);
  // the admin reads no personal data: not the citizen's objection either
  assert.equal(await page.getByTestId('objections-row').count(), 0);
  assert.equal(await text(page.getByTestId('objections-dpo')), 'Phản đối của công dân do cán bộ bảo vệ dữ liệu cá nhân xem và trả lời.');
  assert.ok(!(await text(page.locator('main'))).includes('Tôi không nộp hồ sơ cư trú nào'));
  await noOverflow(page, WIDTH, 'the exchange page');
  await shot(page, 'exchange-admin');
  await done();

  // the data-protection officer opens the same page, reads the objection, answers it; the citizen reads the answer
  const dpo = await phonePage(browser);
  await openExchangePage(dpo.page, 'baove.dulieu');
  const objections = await dpo.page.getByTestId('objections-row').allInnerTexts();
  assert.equal(objections.length, 1);
  assert.match(objections[0], /Tôi không nộp hồ sơ cư trú nào\./);
  assert.equal(await dpo.page.getByTestId('members-row').count(), 5);
  await shot(dpo.page, 'exchange-dpo');
  await answerObjection(dpo.page);
  await dpo.done();
  const mine = await phonePage(browser);
  await signIn(mine.page, srv.url, 'dan', PASSWORD, /me\.html/);
  const answer = mine.page.getByTestId('exchange-objection-answer');
  await answer.waitFor();
  assert.match(await text(answer), /^Phản đối được chấp nhận.*Trả lời của cán bộ bảo vệ dữ liệu.*đã yêu cầu đơn vị giải trình\./s);
  await noOverflow(mine.page, WIDTH, 'my data with an answered objection');
  await mine.done();
});

test("a land owner's transfer form comes with the parcel filled from the land database, which it names", async () => {
  const officer = await login(srv.url, 'canbo.xa');
  const commune = (await api(srv.url, 'GET', '/api/v1/auth/session', { token: officer })).json.unit;
  const created = await api(srv.url, 'POST', '/api/v1/citizens', {
    token: officer,
    body: { id: '036085000101', attributes: {
      full_name: { value: 'Trần Văn Mẫu', source: 'civil-status', verified: true },
      date_of_birth: { value: '1985-02-14', source: 'civil-status', verified: true },
      sex: { value: 'male', source: 'civil-status', verified: true },
      permanent_address: { value: { unit: commune, street: 'Thôn Mẫu' }, source: 'population-db', verified: true } } },
  });
  assert.equal(created.status, 201, created.text);
  assert.equal(cli(['user', 'add', '--db', srv.db, '--username', 'mau', '--role', 'citizen', '--citizen', '036085000101',
    '--password-stdin'], { input: PASSWORD + '\n' }).status, 0);
  const { page, done } = await phonePage(browser);
  await signIn(page, srv.url, 'mau', PASSWORD, /me\.html/);
  await page.goto(`${srv.url}/apply.html?p=TD.0001`);
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
  const parcel = page.getByTestId('field-parcel_number');
  assert.equal(await parcel.locator('input').inputValue(), '42');
  assert.equal(await text(page.getByTestId('hint-parcel_number')),
    'Lấy từ Bộ Nông nghiệp và Môi trường — Cơ sở dữ liệu đất đai (mẫu) qua hệ thống trao đổi dữ liệu');
  assert.equal(await page.getByTestId('field-certificate_serial').locator('input').inputValue(), 'DA 123456');
  await noOverflow(page, WIDTH, 'the land transfer form');
  await shot(page, 'exchange-prefill');
  await done();
});

test('the desk sees what was fetched for a dossier from another node, naming the node', async () => {
  // this node plays the other province too: it is told of itself as a peer, and grants itself the person service
  const admin = await login(srv.url, 'quantri');
  const node = (await api(srv.url, 'GET', '/api/v1/exchange/services', { token: admin })).json.node;
  for (const args of [['peer', '--node', node.id, '--url', srv.url, '--public-key', node.public_key],
    ['grant', '--client', `${node.id}/TRONDOI`, '--service', PERSON, '--purposes', 'RESIDENCE']]) {
    assert.equal(cli(['exchange', ...args, '--db', srv.db]).status, 0);
  }
  const citizen = await login(srv.url, 'dan');
  const unit = (await api(srv.url, 'GET', '/api/v1/me', { token: citizen })).json.attributes.permanent_address.value.unit;
  const sub = await api(srv.url, 'POST', '/api/v1/dossiers', { token: citizen,
    body: { procedure: '1.004222', fields: { new_permanent_address: { unit, street: 'Số 5 phố Mới' }, housing_basis: 'owned' } } });
  assert.equal(sub.status, 201, sub.text);
  const fetched = await api(srv.url, 'POST', '/api/v1/exchange/fetch', { token: await login(srv.url, 'lanhdao.xa'),
    body: { node: node.id, service: PERSON, purpose: 'RESIDENCE', dossier: sub.json.code, query: { id: dan } } });
  assert.equal(fetched.status, 200, fetched.text);

  const { page, done } = await phonePage(browser);
  await signIn(page, srv.url, 'lanhdao.xa', PASSWORD, /desk\.html/);
  await page.goto(`${srv.url}/desk.html?code=${sub.json.code}`);
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
  const entry = page.getByTestId('fetched-entry');
  await entry.waitFor();
  assert.equal(await text(entry.getByTestId('fetched-source')), `Từ ${node.id}`);
  assert.match(await text(entry), new RegExp(`${PERSON.replace(/\//g, '\\/')} · Người thực hiện: lanhdao\\.xa`));
  assert.match(await text(entry.getByTestId('fetched-person')), new RegExp(`\\(${dan}\\)$`));
  await entry.locator('summary').click();
  await noOverflow(page, WIDTH, 'the desk with fetched data');
  await shot(page, 'exchange-fetched');
  await done();
});

test('older exchanges come page by page with "more", each once', async () => {
  for (let i = 0; i < 21; i++) assert.equal((await xcall({ id: dan }, 'RESIDENCE:000.00.36-251125-0001')).status, 200);
  const all = (await api(srv.url, 'GET', '/api/v1/me/data-usage?limit=500', { token: await login(srv.url, 'dan') })).json.exchanges;
  assert.ok(all.length > 20 && all.length <= 40, String(all.length)); // two pages of 20
  const { page, done } = await phonePage(browser);
  await signIn(page, srv.url, 'dan', PASSWORD, /me\.html/);
  const entries = page.getByTestId('exchange-entry');
  await entries.nth(19).waitFor();
  assert.equal(await entries.count(), 20);
  const more = page.getByTestId('exchanges-more');
  await more.click();
  await entries.nth(all.length - 1).waitFor();
  assert.equal(await entries.count(), all.length);
  await more.waitFor({ state: 'hidden' });
  const proofs = await entries.locator('code').allTextContents(); // "#seq hash…", newest first, none twice
  assert.deepEqual(proofs.map((p) => Number(p.split(' ')[0].slice(1))), all.map((x) => x.id));
  await done();
});
