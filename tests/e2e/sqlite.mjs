// sqlite.mjs — reads a test database through Debian's sqlite3 command (tests look at what the
// server stored, or tamper with it to prove a check catches it).
import { execFileSync } from 'node:child_process';

// the server writes in the background too (delivery, the index's counters): wait for its lock
const WAIT = '.timeout 10000';
const quote = (v) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);

export default class Database {
  constructor(path) { this.path = path; }
  bind(sql, args) { let i = 0; return sql.replace(/\?/g, () => quote(args[i++])); }
  all(sql, ...args) {
    const out = execFileSync('sqlite3', ['-cmd', WAIT, '-json', this.path, this.bind(sql, args)], { encoding: 'utf8' });
    return out.trim() ? JSON.parse(out) : [];
  }
  get(sql, ...args) { return this.all(sql, ...args)[0]; }
  run(sql, ...args) { execFileSync('sqlite3', ['-cmd', WAIT, this.path, this.bind(sql, args)]); }
  close() {}
}
