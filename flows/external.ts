/**
 * The one way a flow writes to a vendor: reuse a recorded external id; if an earlier attempt's
 * outcome is unknown, look the object up by our own key first (reconcile before retry); only
 * then write, with the deterministic idempotency key.
 */
import type { ExternalObject } from '../adapters/ports.js';
import { findExternalId } from '../src/db/repos/external-refs.js';
import { type Outcome, ok } from '../src/domain/outcome.js';
import type { ExternalRefInput, StepContext } from './types.js';

export interface EnsureExternalSpec<T extends ExternalObject> {
  system: string;
  objectType: string;
  localId: string;
  version?: number;
  lookup(): Promise<Outcome<T | null>>;
  write(idempotencyKey: string): Promise<Outcome<T>>;
}

export interface Ensured {
  externalId: string;
  ref: ExternalRefInput;
  /** How the id was obtained: already recorded, found at the vendor, or newly written. */
  via: 'recorded' | 'reconciled' | 'written';
}

export async function ensureExternal<I, T extends ExternalObject>(
  ctx: StepContext<I>,
  spec: EnsureExternalSpec<T>,
): Promise<Outcome<Ensured>> {
  const ref = (externalId: string): ExternalRefInput => ({
    system: spec.system,
    objectType: spec.objectType,
    localId: spec.localId,
    externalId,
  });
  const recorded = await findExternalId(ctx.deps.db, ctx.orgId, spec.system, spec.objectType, spec.localId);
  if (recorded) return ok({ externalId: recorded, ref: ref(recorded), via: 'recorded' });
  if (ctx.unknownOutcome) {
    const found = await spec.lookup();
    if (!found.ok) return found;
    if (found.value)
      return ok({ externalId: found.value.externalId, ref: ref(found.value.externalId), via: 'reconciled' });
  }
  const written = await spec.write(
    await ctx.key(spec.objectType, spec.localId, spec.version ?? writeVersion(ctx.input)),
  );
  if (!written.ok) return written;
  return ok({ externalId: written.value.externalId, ref: ref(written.value.externalId), via: 'written' });
}

/**
 * A reconciliation repush (flows/reconciliation.ts) puts its generation in the job's input: the
 * document the vendor lost is written again under a key of its own, since a vendor replays the
 * first answer to a used key (QuickBooks requestid), which would name the lost document. Without
 * a repush the key is the step's first, as always.
 */
function writeVersion(input: unknown): number {
  const repush = (input as { repush?: unknown } | null)?.repush;
  return typeof repush === 'number' && Number.isInteger(repush) && repush > 0 ? 1 + repush : 1;
}
