// login_limits.test.mjs — guessing passwords across many accounts from one address is slowed
// down too (past 30 failures a minute, every sign-in from that address waits), and accounts get
// passwords that pass a minimum policy.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, cli, PASSWORD, startServer, VALGRIND } from './harness.mjs';

let srv, U;
before(async () => {
  srv = await startServer();
  U = srv.url;
});
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, r.stderr.slice(-2000)); });

const signIn = (username, password) => api(U, 'POST', '/api/v1/auth/login', { body: { username, password } });

// under memcheck thirty sign-ins take longer than the minute they are counted in
test('thirty failures from one address, over many accounts, hold that address back for the minute', { skip: VALGRIND && 'counts a one-minute window' }, async () => {
  for (let i = 0; i < 30; i++) assert.equal((await signIn(`khach.${i}`, 'doan-mo-mat-khau')).status, 401);
  const right = await signIn('dan', PASSWORD);
  assert.equal(right.status, 429);
  assert.equal(right.json.error.code, 'too_many_attempts');
  assert.ok(Number(right.headers.get('retry-after')) >= 1);
  assert.match(right.json.error.message_vi, /địa chỉ/);
});

test('a new account\'s password: long enough, not a common one, not holding the username', () => {
  const add = (username, password) => cli(['user', 'add', '--db', srv.db, '--username', username, '--role', 'officer', '--unit', '37',
    '--password-stdin'], { input: `${password}\n` });
  for (const [password, why] of [['ngan', /8 to 256 characters/], ['matkhau123', /first anyone would try/], ['Password123', /first anyone would try/],
    ['canbo.moi-2026', /must not contain the username/]]) {
    const r = add('canbo.moi', password);
    assert.equal(r.status, 1, password);
    assert.match(r.stderr, why, password);
  }
  assert.equal(add('canbo.moi', 'Cay-lua-xanh-2026').status, 0);
});
