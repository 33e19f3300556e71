/**
 * The first two steps of every flow that starts from a CRM deal (deal-to-contract and
 * deal-amendment): read the deal through the org's adapter, then map it through the org's
 * published mapping, so a deal edited after close maps exactly as it did at close.
 */
import { applyMapping, defaultMappings, type MappingResult, toMappingSet } from '../mappings/index.js';
import type { Db } from '../src/db/client.js';
import { getPublishedMapping } from '../src/db/repos/mappings.js';
import type { DealBundle } from '../src/domain/deal.js';
import { type Outcome, ok, permanent } from '../src/domain/outcome.js';
import type { CrmVendor } from '../src/domain/vendors.js';
import type { StepOutcome, StepSpec } from './types.js';

/** What a deal flow's input names: the CRM and the deal in it. */
export interface DealRef {
  system: CrmVendor;
  dealId: string;
}

/**
 * A deal through the org's published mapping version, or the built-in default while none is
 * published; the result names the version, which the contract records.
 */
export async function mapDeal(
  db: Db,
  orgId: string,
  system: CrmVendor,
  bundle: DealBundle,
): Promise<Outcome<MappingResult>> {
  const published = await getPublishedMapping(db, orgId, system);
  const set = published ? toMappingSet(published) : defaultMappings[system];
  return applyMapping(set, bundle);
}

/** Reads the deal through the org's adapter for its CRM. Stored as "fetch-deal" since the first runs. */
export function fetchDealStep<I extends DealRef>(): StepSpec<I, object, 'fetchDeal', DealBundle> {
  return {
    name: 'fetchDeal',
    storedAs: 'fetch-deal',
    external: false,
    run: async (ctx) => {
      const crm = ctx.adapters.crm[ctx.input.system];
      if (!crm) return permanent(`no ${ctx.input.system} connection for this org`);
      const deal = await crm.fetchDeal(ctx.input.dealId);
      return deal.ok ? ok({ output: deal.value }) : deal;
    },
  };
}

type MapDealSpec<I, O> = StepSpec<I, { readonly fetchDeal: DealBundle }, 'mapDeal', O>;

/**
 * Maps the fetched deal (stored as "map"). A deal that is not closed-won is a permanent failure
 * when the flow needs a won deal (`notWon: 'fail'`, a new contract), or a null output the next
 * step reads as "nothing to do" (`notWon: 'skip'`, an amendment: a deal that left closed-won is
 * not an amendment, and a cancellation is not modelled here).
 */
export function mapDealStep<I extends DealRef>(notWon: 'fail'): MapDealSpec<I, MappingResult>;
export function mapDealStep<I extends DealRef>(notWon: 'skip'): MapDealSpec<I, MappingResult | null>;
export function mapDealStep<I extends DealRef>(
  notWon: 'fail' | 'skip',
): MapDealSpec<I, MappingResult> | MapDealSpec<I, MappingResult | null> {
  return {
    name: 'mapDeal',
    storedAs: 'map',
    external: false,
    run: async (ctx): StepOutcome<MappingResult | null> => {
      const bundle = ctx.outputs.fetchDeal;
      if (!bundle.deal.isWon) {
        if (notWon === 'skip') return ok({ output: null });
        return permanent(`deal ${bundle.deal.id} is not closed-won (stage "${bundle.deal.stage}")`, {
          field: 'deal.stage',
        });
      }
      const mapped = await mapDeal(ctx.deps.db, ctx.orgId, ctx.input.system, bundle);
      return mapped.ok ? ok({ output: mapped.value }) : mapped;
    },
  };
}
