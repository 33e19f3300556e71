import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../src/runtime/sqlite.js';
const dir = mkdtempSync(join(tmpdir(), 'w-'));
const N = 100_000, B = 10_000;
const cols = '"org_id", "transaction_id", "customer_id", "metric_code", "timestamp", "properties", "received_at", "late"';
function run(name: string, per: number) {
  const s = openSqlite(join(dir, `${name}-${Math.random()}.db`));
  const raw = (s.db as any).$client;
  const stmts = new Map<number, any>();
  const get = (k: number) => { let x = stmts.get(k); if (!x) { x = raw.prepare(`INSERT INTO usage_events (${cols}) VALUES ${Array(k).fill('(?,?,?,?,?,?,?,?)').join(',')} ON CONFLICT (org_id, transaction_id) DO NOTHING`); stmts.set(k, x);} return x; };
  const t0 = performance.now();
  for (let b = 0; b < N; b += B) {
    const tx = raw.transaction(() => {
      for (let i = b; i < b + B; ) {
        const k = Math.min(per, b + B - i);
        const params: unknown[] = [];
        for (let j = 0; j < k; j++, i++) params.push('org', `tx-${i}`, `cus_${i % 100}`, 'api_calls', 1700000000000 + i, `{"calls":${i % 17},"region":"eu"}`, 1, 0);
        get(k).run(params);
      }
    });
    tx.immediate();
  }
  const ms = performance.now() - t0;
  s.close();
  return ms;
}
for (let r = 0; r < 3; r++) console.log([1, 8, 32, 128, 512, 4095].map((p) => `${p}:${run('x', p).toFixed(0)}`).join(' '));
rmSync(dir, { recursive: true });
