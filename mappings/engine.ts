/**
 * The mapping engine: a mapping set gives each contract field a JSONata expression evaluated
 * over the deal bundle (JSONata is an interpreter, so no eval of our own, and it runs on
 * Workers), bounded in time and size (bounds.ts). The result is validated; a missing or bad value stops the flow with per-field
 * errors, never a partial contract.
 */
import type { ContractDraft } from '../src/domain/contract.js';
import type { DealBundle } from '../src/domain/deal.js';
import { type Outcome, ok, permanent } from '../src/domain/outcome.js';
import { evaluateBounded } from './bounds.js';
import { contractDraftSchema } from './validate.js';

export interface MappingSet {
  id: string;
  version: number;
  crm: 'salesforce' | 'hubspot';
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
      errors.push({ path, expression, message: (error as { message?: string }).message ?? String(error) });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const parsed = contractDraftSchema.safeParse(output);
  if (parsed.success)
    return { ok: true, value: { draft: parsed.data as ContractDraft, mappingVersion: mappingVersionOf(set) } };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => {
      const path = issue.path.join('.');
      // The expression that produced the value: the field itself or the top-level field it sits in.
      const expression = set.fields[path] ?? set.fields[String(issue.path[0] ?? '')];
      return { path, ...(expression ? { expression } : {}), message: issue.message };
    }),
  };
}

/** mapDeal as a flow outcome: a rejected deal is a permanent failure naming every field at fault. */
export async function applyMapping(set: MappingSet, bundle: DealBundle): Promise<Outcome<MappingResult>> {
  const mapped = await mapDeal(set, bundle);
  if (mapped.ok) return ok(mapped.value);
  const detail = mapped.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return permanent(`mapping ${mappingVersionOf(set)} rejected deal ${bundle.deal.id}: ${detail}`, {
    field: mapped.errors[0]?.path,
  });
}
