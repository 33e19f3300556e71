/**
 * `npm run dev:worker`: the same sandbox demo as `npm start`, but the hub runs under
 * `wrangler dev` (workerd, D1 emulated locally, Queues, Cron). The vendor simulators run here on
 * loopback; the worker is seeded through its sandbox-only `POST /sandbox/setup`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { startSimulators } from './simulators.js';

const port = Number.parseInt(process.env.WORKER_PORT ?? '8788', 10);
const baseUrl = `http://127.0.0.1:${port}`;
const WRANGLER = 'node_modules/.bin/wrangler';
/** No telemetry or update checks: the hub's sandbox needs no network. */
const quietEnv = { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' };

function run(args: string[]) {
  const result = spawnSync(WRANGLER, args, { stdio: 'inherit', env: quietEnv });
  if (result.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed`);
}

async function waitForWorker(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`wrangler dev did not answer on ${baseUrl}`);
}

async function main() {
  // The same drizzle-kit SQL files the Node runtime applies at start.
  run(['d1', 'migrations', 'apply', 'hub', '--local']);
  const sims = await startSimulators({ now: () => new Date(), autoDeliverStripe: true });
  const dev = spawn(WRANGLER, ['dev', '--ip', '127.0.0.1', '--port', String(port), '--test-scheduled'], {
    stdio: 'inherit',
    env: quietEnv,
  });
  process.on('SIGINT', () => {
    dev.kill('SIGINT');
    void sims.close().then(() => process.exit(0));
  });
  await waitForWorker();

  const setup = await fetch(`${baseUrl}/sandbox/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Demo Co (workerd sandbox)', connections: sims.connections }),
  });
  if (setup.status !== 201) throw new Error(`sandbox setup failed: ${setup.status} ${await setup.text()}`);
  const org = (await setup.json()) as { apiKey: string; stripeConnectionId: string; salesforceOutboundPath: string };
  sims.stripe.setWebhookUrl(`${baseUrl}/webhooks/stripe/${org.stripeConnectionId}`);

  const { opportunityId } = sims.salesforce.seedClosedWonOpportunity();
  const ack = await fetch(`${baseUrl}${org.salesforceOutboundPath}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', SOAPAction: '""' },
    body: sims.salesforce.outboundMessageFor(opportunityId),
  });
  console.log(`
workerd sandbox: ${baseUrl}
  admin API key: ${org.apiKey}
  Outbound Message for ${opportunityId}: HTTP ${ack.status}
  trace: curl -H "Authorization: Bearer ${org.apiKey}" ${baseUrl}/api/v1/deals/salesforce/${opportunityId}/trace
  run the cron sweep by hand: curl "${baseUrl}/__scheduled?cron=*+*+*+*+*"
`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
