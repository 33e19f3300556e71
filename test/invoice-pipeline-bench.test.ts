/**
 * Smoke test of bench/invoice-pipeline.ts at N=20 (the benchmark itself never runs in npm test):
 * the hub side takes every draft of the billing run to paid and posted to QuickBooks, with every
 * job succeeded and no webhook refused; the floor ends with the same holdings at the vendors and
 * makes the same calls (QuickBooks items aside: concurrent ERP jobs may each send the item once,
 * QuickBooks replaying it by requestid, where the floor sends it once per product).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFloorPipeline } from '../bench/pipeline/floor.js';
import { type PipelineResult, runHubPipeline } from '../bench/pipeline/hub-run.js';

const N = 20;
const dir = mkdtempSync(join(tmpdir(), 'hub-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withoutItems = (calls: PipelineResult['calls']) =>
  Object.fromEntries(Object.entries(calls).filter(([shape]) => !shape.endsWith('/item')));

describe('bench/invoice-pipeline at N=20', () => {
  let hub: PipelineResult;

  it('the hub takes every draft to paid and posted to QuickBooks', async () => {
    hub = await runHubPipeline({ dir, invoices: N, concurrency: 4, stallMs: 30_000 });
    expect(hub.counts).toEqual({
      'invoices paid in full': N,
      'avalara transactions': N,
      'stripe customers': N,
      'stripe payment intents succeeded': N,
      'quickbooks customers': N,
      'quickbooks invoices': N,
      'quickbooks payments': N,
      'ref quickbooks customer': N,
      'ref quickbooks invoice': N,
      'ref quickbooks payment': N,
    });
    expect(hub.jobs).toEqual({
      'finalize-invoice succeeded': N,
      'collect-payment succeeded': N,
      'record-payment succeeded': N,
      'post-invoice-to-erp succeeded': N,
      'post-payment-to-erp succeeded': N,
    });
    expect(hub.deliveries).toEqual({ '200': N });
    expect(hub.calls['avalara POST /api/v2/transactions/createoradjust']).toBe(N);
  });

  it('the floor makes the same calls and leaves the same holdings', async () => {
    const floor = await runFloorPipeline({ dir, invoices: N, concurrency: 4 });
    expect(floor.counts).toEqual(Object.fromEntries(Object.keys(floor.counts).map((k) => [k, N])));
    expect(Object.keys(floor.counts)).toHaveLength(6);
    expect(withoutItems(floor.calls)).toEqual(withoutItems(hub.calls));
    expect(floor.calls['quickbooks POST /v3/company/:realm/item']).toBe(2);
  });
});
