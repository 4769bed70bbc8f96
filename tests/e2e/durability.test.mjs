// durability.test.mjs — submissions are answered only once their group commit is on disk: under
// load, the server is killed with SIGKILL; after a restart every answered dossier is there,
// whole, and the codes of the day stay gap-free.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, login, startServer } from './harness.mjs';

const WORKERS = 24;

test('every acknowledged submission survives kill -9, and codes stay gap-free', async () => {
  const first = await startServer();
  const token = await login(first.url, 'dan');
  const acked = new Map();
  let stop = false;
  const worker = async () => {
    while (!stop) {
      try {
        const r = await api(first.url, 'POST', '/api/v1/dossiers', { token, body: { procedure: '1.004873', fields: { purpose: 'loan' } } });
        if (r.status === 201) acked.set(r.json.code, r.json.fields);
      } catch { return; } // the server is gone
    }
  };
  const running = Array.from({ length: WORKERS }, worker);
  while (acked.size < 300) await new Promise((ok) => setTimeout(ok, 5));
  first.proc.kill('SIGKILL');
  stop = true;
  await Promise.all(running);
  const killed = await first.stop({ keep: true });
  assert.equal(killed.signal, 'SIGKILL');

  const again = await startServer({ dir: first.dir, init: false });
  try {
    const t = await login(again.url, 'dan');
    const mine = (await api(again.url, 'GET', '/api/v1/me/dossiers', { token: t })).json.dossiers;
    const stored = new Set(mine.map((d) => d.code));
    for (const code of acked.keys()) {
      assert.ok(stored.has(code), `acknowledged ${code} is missing after the crash`);
    }
    const sample = [...acked.keys()].slice(-5); // the last answered ones, closest to the kill
    for (const code of sample) {
      const d = await api(again.url, 'GET', `/api/v1/dossiers/${code}`, { token: t });
      assert.equal(d.status, 200);
      assert.deepEqual(d.json.fields, acked.get(code));
      assert.deepEqual(d.json.timeline.map((e) => e.to), [1]);
    }
    const numbers = mine.map((d) => Number(d.code.slice(-4))).sort((a, b) => a - b);
    assert.deepEqual(numbers, numbers.map((_, i) => i + 1), 'gap-free per unit and day');
    assert.equal((await api(again.url, 'POST', '/api/v1/dossiers', { token: t, body: { procedure: '1.004873', fields: { purpose: 'loan' } } })).json.code.slice(-4),
      String(numbers.length + 1).padStart(4, '0'));
  } finally {
    await again.stop();
  }
});
