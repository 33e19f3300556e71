/**
 * The mapping engine: a mapping set gives each contract field a JSONata expression evaluated
 * over the deal bundle (JSONata is an interpreter, so no eval of our own, and it runs on
 * Workers), bounded in time and size (bounds.ts). The result is validated; a missing or bad value stops the flow with per-field
 * errors, never a partial contract.
 */
import type { ContractDraft } from '../src/domain/contract.js';
import { termsFromDraft } from '../src/domain/contracts/from-draft.js';
import type { DealBundle } from '../src/domain/deal.js';
import { firstAdvanceInvoice } from '../src/domain/invoice.js';
import { type Failure, type Outcome, ok, permanent, retryable } from '../src/domain/outcome.js';
import type { CrmVendor } from '../src/domain/vendors.js';
import { evaluateBounded } from './bounds.js';
import { contractDraftSchema } from './validate.js';

export interface MappingSet {
  id: string;
  version: number;
  crm: CrmVendor;
  description: string;
  defaults: Record<string, unknown>;
  lookups: Record<string, unknown>;
  /** Target path ("customer.name") → JSONata expression over the deal bundle. */
  fields: Record<string, string>;
}

export interface FieldError {
  path: string;
  expression?: string;
  message: string;
  /** The evaluation ran out of time: says nothing about the deal (a slow machine), so it is retried. */
  timedOut?: true;
}

/** JSONata's error code for its evaluation timeout (https://docs.jsonata.org/embedding-extending#errors). */
const JSONATA_TIMEOUT = 'D1012';

/** The field error for an expression that threw while evaluating. */
export function evaluationError(path: string, expression: string, error: unknown): FieldError {
  const e = error as { message?: string; code?: string };
  return {
    path,
    expression,
    message: e.message ?? String(error),
    ...(e.code === JSONATA_TIMEOUT ? { timedOut: true as const } : {}),
  };
}

export interface MappingResult {
  draft: ContractDraft;
  mappingVersion: string;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

export function mappingVersionOf(set: MappingSet): string {
  return `${set.id}@${set.version}`;
}

export type MapDealResult = { ok: true; value: MappingResult } | { ok: false; errors: FieldError[] };

/** Evaluates every field and validates the draft; all field errors are collected, none hidden. */
export async function mapDeal(set: MappingSet, bundle: DealBundle): Promise<MapDealResult> {
  const errors: FieldError[] = [];
  const output: Record<string, unknown> = {};
  const bindings = { defaults: set.defaults, lookups: set.lookups };
  for (const [path, expression] of Object.entries(set.fields)) {
    try {
      const value = await evaluateBounded(expression, bundle, bindings);
      setPath(output, path, value ?? null);
    } catch (error) {
      errors.push(evaluationError(path, expression, error));
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const parsed = contractDraftSchema.safeParse(output);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => fieldError(set, issue.path.map(String).join('.'), issue.message)),
    };
  const draft = parsed.data as ContractDraft;
  const termErrors = checkDraftTerms(draft).map((e) => fieldError(set, e.path, e.message));
  if (termErrors.length > 0) return { ok: false, errors: termErrors };
  return { ok: true, value: { draft, mappingVersion: mappingVersionOf(set) } };
}

/** A field error with the expression that produced the value: the field itself or the top-level field it sits in. */
function fieldError(set: MappingSet, path: string, message: string): FieldError {
  const expression = set.fields[path] ?? set.fields[path.split('.')[0] ?? ''];
  return { path, ...(expression ? { expression } : {}), message };
}

/**
 * A terms path ("terms.phases.0.items.2.prices.0.price.tiers.1.up_to") as the draft field that
 * produced it ("lines.2.price.tiers.1.up_to"): termsFromDraft makes one phase, one item per line
 * and one price version per item, so the way back is a rename.
 */
export function draftPathOf(termsPath: string, draft: ContractDraft): string {
  const path = termsPath.replace(/^terms\.?/, '');
  const item = /^phases\.0\.items\.(\d+)(?:\.(.*))?$/.exec(path);
  if (item) {
    const [, index, rest] = item;
    if (rest === undefined) return `lines.${index}`;
    const renamed = rest
      .replace(/^prices\.\d+\.price(?=\.|$)/, 'price')
      .replace(/^prices(\.\d+)?(\.effectiveFrom)?$/, 'price')
      .replace(/^id$/, 'sourceLineId');
    return `lines.${index}.${renamed}`;
  }
  if (/^phases\.0\.items$/.test(path)) return 'lines';
  const phase = /^phases\.0\.(discounts|minimumCommitment)(.*)$/.exec(path);
  if (phase) return `${phase[1]}${phase[2]}`;
  if (path === 'endDate' && draft.endDate == null && draft.termMonths != null) return 'termMonths';
  // Usage paths name the item's metric or id; a first invoice has no usage, so this is a price that needs it.
  const usage = /^usage\.([^.]+)/.exec(path);
  if (usage) {
    const index = draft.lines.findIndex((l) => l.sourceLineId === usage[1] || l.metric === usage[1]);
    return index >= 0 ? `lines.${index}.price` : 'lines';
  }
  return path === '' || path.startsWith('phases') ? 'lines' : path;
}

/**
 * What the draft schema cannot see: the terms it makes must validate (terms schema plus billing's
 * rules), and the deal's first invoice (the first in-advance period) must be computable.
 */
function checkDraftTerms(draft: ContractDraft): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  if (draft.endDate != null && draft.termMonths != null)
    errors.push({ path: 'termMonths', message: 'set endDate or termMonths, not both' });
  if (draft.renewal?.policy === 'auto_renew' && draft.endDate == null && draft.termMonths == null)
    errors.push({ path: 'renewal.policy', message: 'auto_renew needs an endDate or termMonths to renew at' });
  if (errors.length > 0) return errors;
  const first = firstAdvanceInvoice(termsFromDraft(draft));
  if (!first.ok) return first.issues.map((i) => ({ path: draftPathOf(i.path, draft), message: i.message }));
  if (first.invoice === null)
    return [
      {
        path: 'lines',
        message:
          "no line is billed in advance on the start date: the deal's first invoice needs at least one in-advance line",
      },
    ];
  return [];
}

/**
 * mapDeal as a flow outcome: a rejected deal is a permanent failure naming every field at fault;
 * an evaluation that timed out is retryable (under load a good deal can run out of time, and
 * dead-lettering it as "bad deal" would be wrong), and spends the job's attempt budget if it persists.
 */
export async function applyMapping(set: MappingSet, bundle: DealBundle): Promise<Outcome<MappingResult>> {
  const mapped = await mapDeal(set, bundle);
  if (mapped.ok) return ok(mapped.value);
  return mappingFailure(set, bundle, mapped.errors);
}

export function mappingFailure(set: MappingSet, bundle: DealBundle, errors: FieldError[]): Failure {
  const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  if (errors.some((e) => e.timedOut)) {
    return retryable(`mapping ${mappingVersionOf(set)} timed out on deal ${bundle.deal.id}: ${detail}`);
  }
  return permanent(`mapping ${mappingVersionOf(set)} rejected deal ${bundle.deal.id}: ${detail}`, {
    field: errors[0]?.path,
  });
}
