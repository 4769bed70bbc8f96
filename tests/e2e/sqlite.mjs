// sqlite.mjs — reads a test database through the engine's own command-line client: Debian's
// sqlite3 for a file, psql for a postgresql:// URL (tests look at what the server stored, or
// tamper with it to prove a check catches it). The same SQL runs on both, as in the server.
import { execFileSync } from 'node:child_process';

/** The PostgreSQL cluster of this run (tests/pg.sh), or '' for SQLite. */
export const PG = process.env.TRONDOI_TEST_PG || '';

// the server writes in the background too (delivery, the index's counters): wait for its lock
const WAIT = '.timeout 10000';
const quote = (v) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
const psql = (url, sql) => execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8' });

/** Runs SQL on the cluster's maintenance database (CREATE or DROP DATABASE). */
export function pgAdmin(sql) { psql(`${PG}/postgres`, sql); }

export default class Database {
  constructor(path) { this.path = path; this.pg = /^postgres(ql)?:\/\//.test(path); }
  bind(sql, args) { let i = 0; return sql.replace(/\?/g, () => quote(args[i++])); }
  all(sql, ...args) {
    if (this.pg) return JSON.parse(psql(this.path, `SELECT COALESCE(json_agg(q), '[]') FROM (${this.bind(sql, args)}) q`));
    const out = execFileSync('sqlite3', ['-cmd', WAIT, '-json', this.path, this.bind(sql, args)], { encoding: 'utf8' });
    return out.trim() ? JSON.parse(out) : [];
  }
  get(sql, ...args) { return this.all(sql, ...args)[0]; }
  run(sql, ...args) {
    if (this.pg) psql(this.path, this.bind(sql, args));
    else execFileSync('sqlite3', ['-cmd', WAIT, this.path, this.bind(sql, args)]);
  }
  close() {}
}
