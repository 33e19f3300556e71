/**
 * The invoice pipeline: N drafts from a billing run (default 10,000: one monthly contract in
 * advance per customer, auto-finalize with no grace period) taken through finalize → tax →
 * collect → ERP by the hub on the Node runtime (better-sqlite3 file in a temp dir, the durable
 * job table, NodeJobDriver) against the AvaTax, Stripe and QuickBooks simulators on loopback HTTP,
 * with no faults planned and the hub's own per-connection request cap off.
 *
 *  (a) the hub: the clock starts when the auto-finalize sweep enqueues the drafts' finalize jobs
 *      and stops when every invoice is paid and its payment is posted to QuickBooks;
 *  (b) the floor, in the same run, once before and once after the hub (the ratio takes the mean):
 *      the same simulator calls (bench/pipeline/floor.ts) made from a plain loop with the same
 *      fetch over loopback HTTP, the same number in flight per vendor, against fresh simulators.
 * Both end with one AvaTax transaction, Stripe customer and succeeded PaymentIntent, QuickBooks
 * customer, invoice and payment per invoice, which is checked. Target: (a) ≥ 0.5× (b) in
 * invoices per second. Prints the rates and CPU time per invoice, the calls each side made, peak
 * RSS, the CPU-time ratio (steadier than wall time on a shared machine) and the ratio last.
 *
 *   npm run bench:invoices                    # 10,000 invoices, 4 in flight per vendor
 *   npm run bench:invoices -- 1000 8          # N and in-flight jobs per vendor
 *   BENCH_INVOICES=200 npm run bench:invoices # N from the environment
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFloorPipeline } from './pipeline/floor.js';
import { type PipelineResult, runHubPipeline } from './pipeline/hub-run.js';

const N = Number(process.argv[2] ?? process.env.BENCH_INVOICES ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? process.env.BENCH_CONCURRENCY ?? 4);
const TARGET = 0.5;

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rate = (r: PipelineResult) => (r.invoices / r.ms) * 1000;

/** Every holding must be one per invoice: nothing missing, nothing twice. */
function checkHoldings(label: string, result: PipelineResult) {
  const wrong = Object.entries(result.counts).filter(([, n]) => n !== result.invoices);
  if (wrong.length > 0) throw new Error(`${label}: expected ${result.invoices} of each, got ${JSON.stringify(wrong)}`);
}

function printCalls(hub: PipelineResult, floor: PipelineResult) {
  const shapes = [...new Set([...Object.keys(hub.calls), ...Object.keys(floor.calls)])].sort();
  console.log(`${'simulator calls'.padEnd(58)} ${'hub'.padStart(8)} ${'floor'.padStart(8)}`);
  for (const shape of shapes) {
    console.log(
      `  ${shape.padEnd(56)} ${String(hub.calls[shape] ?? 0).padStart(8)} ${String(floor.calls[shape] ?? 0).padStart(8)}`,
    );
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-invoices-'));
  try {
    console.log(
      `invoices: ${N.toLocaleString('en')}, ${CONCURRENCY} in flight per vendor (target: hub ≥ ${TARGET.toFixed(2)}× floor)`,
    );
    // The floor runs before and after the hub and the ratio takes their mean: on a shared
    // machine the load moves during a run of many minutes, and one floor on one side of the hub
    // would carry that drift into the ratio.
    const options = { dir, invoices: N, concurrency: CONCURRENCY, onPoll: sampleRss };
    const floorBefore = await runFloorPipeline(options, 'floor-before');
    checkHoldings('floor', floorBefore);
    const hub = await runHubPipeline(options);
    sampleRss();
    checkHoldings('hub', hub);
    const unfinished = Object.entries(hub.jobs).filter(([k]) => !k.endsWith(' succeeded') && !k.endsWith(' ran again'));
    if (unfinished.length > 0) throw new Error(`hub jobs not succeeded: ${JSON.stringify(unfinished)}`);
    const floorAfter = await runFloorPipeline(options, 'floor-after');
    sampleRss();
    checkHoldings('floor', floorAfter);

    printCalls(hub, floorAfter);
    console.log(`stripe webhook deliveries to the hub by status: ${JSON.stringify(hub.deliveries)}`);
    console.log(
      `jobs: ${Object.entries(hub.jobs)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    const line = (label: string, r: PipelineResult) =>
      `${label.padEnd(50)} ${(r.ms / 1000).toFixed(1).padStart(7)} s ${rate(r).toFixed(1).padStart(7)} invoices/s  (CPU ${(r.cpuMs / r.invoices).toFixed(1)} ms per invoice)`;
    console.log(line('(b) floor, before the hub: the same calls from a loop', floorBefore));
    console.log(line('(a) hub: jobs, database, webhooks, simulators', hub));
    console.log(line('(b) floor, after the hub', floorAfter));
    console.log(`peak RSS: ${mb(peakRss)} (${mb(process.resourceUsage().maxRSS * 1024)} maxRSS)`);
    const floorRate = (rate(floorBefore) + rate(floorAfter)) / 2;
    const floorCpu = (floorBefore.cpuMs + floorAfter.cpuMs) / 2;
    // CPU time does not move with the machine's load as wall time does: printed to read the ratio by.
    console.log(`CPU per invoice: floor/hub = ${(floorCpu / hub.cpuMs).toFixed(2)}×`);
    const ratio = rate(hub) / floorRate;
    console.log(`invoice-pipeline: hub/floor = ${ratio.toFixed(2)}× (target ≥ ${TARGET.toFixed(2)}×)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
