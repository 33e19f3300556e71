/**
 * `npm run simulators`: the vendor simulators in a process of their own, on fixed loopback ports,
 * their state kept under SIMULATORS_DIR (default ./data/simulators, the folder `npm start` uses
 * for its own), so they outlive the hub: kill the hub, start it again, and the simulated vendors
 * still hold what it created. Point the hub at them with SIMULATORS_URL (printed below).
 *
 * Ports: SIMULATORS_PORT (default 8790) is the control port (src/runtime/simulators-control.ts);
 * Salesforce, HubSpot, Avalara, Stripe and QuickBooks listen on the next five (0: any free ports,
 * for tests).
 * Run one such process per folder: two writing the same files would undo each other's state.
 */
import { resolve } from 'node:path';
import { makeId } from '../../adapters/salesforce/ids.js';
import { serveOnLoopback } from '../../adapters/sandbox/serve.js';
import { systemClock } from '../domain/clock.js';
import {
  erpFromEnv,
  keepDeliveringStripeEvents,
  paymentProviderFromEnv,
  SIMULATOR_VENDORS,
  startSimulators,
} from './simulators.js';
import { simulatorsControl } from './simulators-control.js';

export const DEFAULT_SIMULATORS_PORT = 8790;

async function main() {
  const controlPort = Number.parseInt(process.env.SIMULATORS_PORT ?? String(DEFAULT_SIMULATORS_PORT), 10);
  const stateDir = resolve(process.env.SIMULATORS_DIR ?? resolve(process.env.HUB_DATA_DIR ?? 'data', 'simulators'));
  // Account ids for a folder used the first time; later starts read theirs from it.
  const suffix = String(Date.now()).slice(-9);
  const sims = await startSimulators({
    now: () => systemClock.now(),
    autoDeliverStripe: true,
    paymentProvider: paymentProviderFromEnv(process.env.SANDBOX_PAYMENT_PROVIDER),
    erp: erpFromEnv(process.env.HUB_SANDBOX_ERP),
    salesforceOrganizationId: makeId('00D', Number(suffix)),
    quickbooksRealmId: `93414${suffix.padStart(11, '0')}`,
    stateDir,
    ports: Object.fromEntries(
      SIMULATOR_VENDORS.map((vendor, i) => [vendor, controlPort === 0 ? 0 : controlPort + 1 + i]),
    ),
  });
  keepDeliveringStripeEvents(sims);
  const control = await serveOnLoopback(simulatorsControl(sims), controlPort);
  const stop = () => {
    void control
      .close()
      .then(() => sims.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`simulators listening on ${control.url} (state in ${stateDir})`);
  for (const vendor of SIMULATOR_VENDORS) console.log(`  ${vendor.padEnd(11)} ${sims.servers[vendor].url}`);
  console.log(`point the hub at them: SIMULATORS_URL=${control.url} npm start`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
