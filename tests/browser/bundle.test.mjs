// bundle.test.mjs — the citizen applies once for a birth on a phone-sized page and follows the
// three agencies' components: the application's errors are shown field by field; once the
// commune finishes the birth registration, the page shows the child's new ID and the police and
// insurance components filed without anyone retyping data; the commune police officer's desk
// holds the residence component and not the others.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, noOverflow, phonePage, ready, signIn as signInAt } from './browser.mjs';
import { api, cli, login, PASSWORD, startServer, upload } from '../e2e/harness.mjs';

let srv, browser;

before(async () => {
  srv = await startServer();
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

/** dan signs in and opens the life-events page from the navigation. */
async function signIn(page) {
  await signInAt(page, srv.url, 'dan', PASSWORD, /me\.html/);
  await page.getByTestId('nav-bundle').click();
  await page.waitForURL(/bundle\.html/);
  await ready(page);
}

/** The commune's desk takes the birth registration to its result, through the API. */
async function finishBirthRegistration(code) {
  const officer = await login(srv.url, 'canbo.xa'), leader = await login(srv.url, 'lanhdao.xa');
  for (const doc of ['birth_registration_form', 'birth_notice']) assert.equal((await upload(srv.url, officer, code, doc)).status, 201);
  const move = (token, to) => api(srv.url, 'POST', `/api/v1/dossiers/${code}/transitions`, { token, body: { to } });
  const step = (token) => api(srv.url, 'POST', `/api/v1/dossiers/${code}/steps`, { token, body: { action: 'forward' } });
  assert.equal((await move(officer, 2)).status, 200);
  assert.equal((await step(officer)).status, 200);
  assert.equal((await step(leader)).status, 200);
  assert.equal((await move(officer, 9)).status, 200);
}

test('a mother applies once for the birth and follows the three agencies', async () => {
  const { page, done } = await phonePage(browser, { width: 360, height: 780 });
  await signIn(page);
  await page.getByTestId('type-birth').click();
  await assert.doesNotReject(page.getByTestId('bundle-plan').getByText('Đăng ký khai sinh').waitFor());

  // sent half-filled: each missing field says so, in Vietnamese
  await page.getByTestId('input-child_full_name').fill('Nguyễn Minh An');
  await page.getByTestId('bundle-submit').click();
  await page.getByTestId('field-error-child_sex').waitFor();
  assert.equal(await page.getByTestId('field-error-child_sex').innerText(), 'bắt buộc');
  assert.equal(await page.getByTestId('input-child_sex').getAttribute('aria-invalid'), 'true');
  await noOverflow(page, 360, 'the bundle page');

  await page.getByTestId('input-applicant_relationship').selectOption('mother');
  await page.getByTestId('input-child_sex').selectOption('male');
  await page.getByTestId('input-child_date_of_birth').fill('2026-11-15');
  await page.getByTestId('input-child_place_of_birth').fill('Bệnh viện Đa khoa tỉnh Ninh Bình');
  await page.getByTestId('input-child_ethnicity').fill('Kinh');
  await page.getByTestId('input-child_nationality').fill('Việt Nam');
  await page.getByTestId('input-child_hometown').fill('Ninh Bình');
  await page.getByTestId('input-housing_basis').selectOption('owned');
  await page.getByTestId('input-primary_care_facility').fill('Trạm y tế xã');
  await page.getByTestId('bundle-submit').click();

  await page.getByTestId('bundle-state').waitFor();
  assert.equal(await page.getByTestId('bundle-state').innerText(), 'Đang giải quyết');
  const components = page.getByTestId('component');
  assert.equal(await components.count(), 3);
  assert.equal(await components.nth(0).getByTestId('component-status').innerText(), 'Mới đăng ký');
  assert.equal(await components.nth(1).getByTestId('component-status').innerText(), 'Chờ kết quả bước trước');
  assert.equal(await components.nth(2).getByTestId('component-status').innerText(), 'Chờ kết quả bước trước');
  const code = await components.nth(0).getByTestId('component-link').innerText();
  assert.match(code, /^\d+-\d{6}-\d{4}$/);
  assert.equal(await page.getByTestId('bundle-item').count(), 1);
  await noOverflow(page, 360, 'the bundle page');

  await finishBirthRegistration(code);
  await page.getByTestId('bundle-refresh').click();
  await page.getByTestId('bundle-child').waitFor();
  assert.match(await page.getByTestId('bundle-child').innerText(), /Số định danh cá nhân của trẻ: \d{12}/);
  assert.equal(await components.nth(0).getByTestId('component-status').innerText(), 'Đã xử lý xong');
  assert.equal(await components.nth(1).getByTestId('component-status').innerText(), 'Mới đăng ký');
  assert.equal(await components.nth(2).getByTestId('component-status').innerText(), 'Mới đăng ký');
  const police = await components.nth(1).getByTestId('component-link').innerText();
  const insurance = await components.nth(2).getByTestId('component-link').innerText();

  // the police component opens as an ordinary dossier of the citizen's
  await components.nth(1).getByTestId('component-link').click();
  await page.waitForURL(/dossiers\.html\?code=/);
  await ready(page);
  await page.getByText('Đăng ký thường trú').first().waitFor();

  // in English too
  await page.goto(srv.url + '/bundle.html');
  await page.getByTestId('lang-en').click();
  assert.equal(await page.getByTestId('page-title').innerText(), 'Birth and death, applied for once');
  await done();

  // the commune police officer's desk holds the residence component, not the others
  const unit = code.split('-')[0];
  const r = cli(['user', 'add', '--db', srv.db, '--username', 'congan.xa', '--role', 'officer', '--unit', unit, '--agency', 'congan',
    '--password-stdin'], { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stderr);
  const desk = await phonePage(browser, { width: 360, height: 780 });
  await signInAt(desk.page, srv.url, 'congan.xa', PASSWORD, /desk\.html/);
  await desk.page.locator(`[data-testid="desk-item"][data-code="${police}"]`).waitFor();
  const codes = await desk.page.getByTestId('desk-item').evaluateAll((els) => els.map((e) => e.dataset.code));
  assert.ok(codes.includes(police) && !codes.includes(code) && !codes.includes(insurance), codes.join());
  await desk.done();
});
