// feedback.test.mjs — a citizen sends feedback to their commune from a phone for a business (its
// tax code and name), the commune's officer answers it on the desk, the citizen reads the answer and says it satisfies.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, noOverflow, phonePage, ready, signIn as signInAt, text } from './browser.mjs';
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

test('feedback goes to the commune, is answered on the desk and rated by the sender', async () => {
  const dan = await phonePage(browser, { width: 360, height: 780 });
  await signIn(dan.page, 'dan', /me\.html/);
  await dan.page.getByTestId('nav-feedback').click();
  await dan.page.waitForURL(/feedback\.html/);
  await ready(dan.page);
  assert.equal(await text(dan.page.getByTestId('feedback-empty')), 'Bạn chưa gửi phản ánh nào.');
  await dan.page.getByTestId('feedback-send').click(); // empty: the API's refusal is shown
  await dan.page.getByTestId('feedback-error').waitFor();
  await dan.page.getByTestId('feedback-subject').fill('Thái độ phục vụ');
  await dan.page.getByTestId('feedback-tax-code').fill('0601234567');
  await dan.page.getByTestId('feedback-business-name').fill('Công ty TNHH Gốm Hoa Lư');
  await dan.page.getByTestId('feedback-text').fill('Cán bộ tiếp dân chưa hướng dẫn rõ cách nộp hồ sơ trực tuyến.');
  await dan.page.getByTestId('feedback-send').click();
  await dan.page.getByTestId('feedback-sent').waitFor();
  const mine = dan.page.getByTestId('feedback-item');
  assert.equal(await mine.count(), 1);
  assert.equal(await text(mine.getByTestId('feedback-state')), 'Chờ trả lời');
  assert.equal(await text(mine.getByTestId('feedback-business')), 'Thay mặt doanh nghiệp: Công ty TNHH Gốm Hoa Lư (Mã số thuế 0601234567)');
  await noOverflow(dan.page, 360, 'the feedback page');
  await dan.done();

  const officer = await phonePage(browser);
  await signIn(officer.page, 'canbo.xa', /desk\.html/);
  const open = officer.page.getByTestId('desk-feedback').getByTestId('feedback-item');
  await open.waitFor();
  assert.match(await text(open), /Thái độ phục vụ/);
  assert.match(await text(open.getByTestId('feedback-business')), /Công ty TNHH Gốm Hoa Lư/); // the unit sees whom it answers
  await open.getByTestId('feedback-answer-text').fill('Xin lỗi anh/chị; đơn vị đã nhắc nhở cán bộ và bổ sung hướng dẫn tại bộ phận một cửa.');
  await open.getByTestId('feedback-answer-send').click();
  await officer.page.getByTestId('desk-feedback').getByTestId('feedback-empty').waitFor();
  assert.equal(await text(officer.page.getByTestId('desk-feedback').getByTestId('feedback-empty')), 'Không có phản ánh nào chờ trả lời.');
  await officer.done();

  const again = await phonePage(browser);
  await signIn(again.page, 'dan', /me\.html/);
  await again.page.goto(srv.url + '/feedback.html');
  await ready(again.page);
  const item = again.page.getByTestId('feedback-item');
  assert.match(await text(item.getByTestId('feedback-answer')), /đã nhắc nhở cán bộ/);
  assert.equal(await text(item.getByTestId('feedback-state')), 'Đã trả lời');
  await item.getByTestId('feedback-yes').click();
  await item.getByTestId('feedback-verdict').waitFor();
  assert.equal(await text(item.getByTestId('feedback-verdict')), 'Bạn đã đánh giá: hài lòng.');
  await again.done();
});
