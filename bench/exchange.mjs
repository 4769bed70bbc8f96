// bench/exchange.mjs — prepares the exchange benchmark (bench/exchange.sh): registers a client
// member with a fresh Ed25519 key and a grant on the population service, then writes N signed
// requests, one a line ("id<TAB>date<TAB>signature<TAB>body"), for bench/exchange.lua to replay
// with wrk. Signing happens here, before the clock starts, so wrk measures the server.
// Usage: DB=… N=… OUT=… node bench/exchange.mjs
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const { DB, OUT } = process.env;
const N = Number(process.env.N || 200000);
const BIN = process.env.BIN || 'build/trondoi';
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
const cli = (...a) => execFileSync(BIN, ['exchange', ...a, '--db', DB], { stdio: 'pipe' });
cli('member', '--id', 'VN/GOV/BENCH', '--name', 'bench client', '--public-key', pub, '--subsystem', 'B');
cli('grant', '--client', 'VN/GOV/BENCH/B', '--service', 'VN/GOV/BCA/CSDLQGDC/person/v1', '--purposes', 'RESIDENCE');
const ids = execFileSync('sqlite3', [DB, 'SELECT id FROM citizens ORDER BY id'], { encoding: 'utf8' }).trim().split('\n');
writeFileSync(OUT + '.ids', ids.join('\n') + '\n');
const path = '/x/GOV/BCA/CSDLQGDC/person/v1';
const date = new Date().toISOString(); // good for 300 s: the runs that follow are shorter
const lines = [];
for (let i = 0; i < N; i++) {
  const body = JSON.stringify({ id: ids[i % ids.length] });
  const id = `bench-${process.pid}-${i}`;
  const s = ['trondoi-xroad-1', 'POST', path, 'VN/GOV/BENCH/B', id, 'bench', 'RESIDENCE', date,
    createHash('sha256').update(body).digest('hex')].join('\n');
  lines.push([id, date, sign(null, Buffer.from(s), privateKey).toString('base64'), body].join('\t'));
}
writeFileSync(OUT, lines.join('\n') + '\n');
