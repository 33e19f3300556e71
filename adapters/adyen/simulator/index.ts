/**
 * A small stateful Adyen Checkout (v71) for sandbox mode and tests: stored payment methods,
 * payments with ContAuth, captures, refunds and cancels as modifications, Pay by Link, the
 * Idempotency-Key replay, ServiceError bodies, and HMAC-signed standard webhooks acknowledged
 * with `[accepted]`. Runtime-neutral (Hono, fetch, Web Crypto). One file per resource:
 * stored-methods.ts, payments.ts, links.ts; requests.ts holds what they share, webhooks.ts the signing.
 */
import { Hono } from 'hono';
import type { FaultPlan } from '../../sandbox/faults.js';
import type { PersistentSimulator } from '../../sandbox/persist.js';
import {
  faultedApp,
  paymentSimulatorRoot,
  simulatorWebhooks,
  type WebhookEndpoint,
} from '../../sandbox/webhook-outbox.js';
import { faultError } from './errors.js';
import { hostedPageRoutes, linkRoutes } from './links.js';
import { paymentRoutes } from './payments.js';
import type { AdyenSim } from './requests.js';
import {
  type AdyenSimulatorOptions,
  type AdyenSimulatorState,
  emptyAdyenState,
  pspReference,
  type SimNotificationItem,
} from './state.js';
import { storedMethodRoutes } from './stored-methods.js';
import { deliverAdyenOutbox, notificationBody } from './webhooks.js';

export type { AdyenSimulatorOptions, AdyenSimulatorState, SimNotificationItem } from './state.js';

export interface AdyenSimulator extends PersistentSimulator {
  app: Hono;
  faults: FaultPlan;
  state: AdyenSimulatorState;
  /** Delivers pending notifications; resolves to how many were answered `[accepted]`. */
  flushWebhooks(): Promise<number>;
  /** The webhook body Adyen would POST for `item`, signed with the HMAC key. */
  webhookBody(item: SimNotificationItem): Promise<string>;
  setWebhookUrl(url: string | undefined): void;
}

export function createAdyenSimulator(options: AdyenSimulatorOptions): AdyenSimulator {
  const state = emptyAdyenState();
  const now = options.now ?? (() => new Date());
  const account = { state, counters: { psp: 0 }, endpoint: { url: options.webhookUrl ?? null } as WebhookEndpoint };
  const webhooks = simulatorWebhooks<SimNotificationItem>(account.endpoint, state.outbox, options.autoDeliver, (url) =>
    deliverAdyenOutbox({ outbox: state.outbox, url, fetch: options.fetch ?? fetch, hmacKey: options.hmacKey }),
  );
  const sim: AdyenSim = {
    state,
    options: {
      apiKey: options.apiKey,
      merchantAccount: options.merchantAccount,
      publicUrl: options.publicUrl ?? 'https://test.adyen.link',
    },
    now,
    nextPsp: () => pspReference(++account.counters.psp),
    notify(item) {
      const full: SimNotificationItem = {
        ...item,
        merchantAccountCode: options.merchantAccount,
        eventDate: now().toISOString(),
      };
      state.notifications.push(full);
      webhooks.emit(full);
    },
  };
  // The API spec in ../shared/apispecs is v71; @adyen/api-library 32 calls v72 (the same
  // resources and shapes for what the hub uses): both are served. The fault plan adds
  // Retry-After to a planned 429 itself.
  const { app, faults } = faultedApp('/v7*', (status, c) => c.json(faultError(status), status as 500));
  const api = new Hono();
  storedMethodRoutes(api, sim);
  paymentRoutes(api, sim);
  linkRoutes(api, sim);
  app.route('/v71', api);
  app.route('/v72', api);
  hostedPageRoutes(app, sim);
  app.notFound((c) => c.json({ status: 404, errorCode: '000', message: 'Not Found', errorType: 'Not Found' }, 404));

  return {
    ...paymentSimulatorRoot({ account, app, faults, state, webhooks }),
    webhookBody: (item) => notificationBody(options.hmacKey, item),
  };
}
