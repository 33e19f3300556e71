/**
 * The mapping engine: a mapping set gives each contract field a JSONata expression evaluated
 * over the deal bundle (JSONata is an interpreter, so no eval of our own, and it runs on
 * Workers). The result is validated; a missing or bad value stops the flow with per-field
 * errors, never a partial contract.
 */
import jsonata from 'jsonata';
import type { ContractDraft } from '../src/domain/contract.js';
import type { DealBundle } from '../src/domain/deal.js';
import { type Outcome, ok, permanent } from '../src/domain/outcome.js';
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

export async function applyMapping(set: MappingSet, bundle: DealBundle): Promise<Outcome<MappingResult>> {
  const errors: FieldError[] = [];
  const output: Record<string, unknown> = {};
  const bindings = { defaults: set.defaults, lookups: set.lookups };
  for (const [path, expression] of Object.entries(set.fields)) {
    try {
      const value = await jsonata(expression).evaluate(bundle, bindings);
      setPath(output, path, value ?? null);
    } catch (error) {
      errors.push({ path, expression, message: (error as { message?: string }).message ?? String(error) });
    }
  }
  if (errors.length === 0) {
    const parsed = contractDraftSchema.safeParse(output);
    if (parsed.success) return ok({ draft: parsed.data as ContractDraft, mappingVersion: mappingVersionOf(set) });
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.');
      errors.push({
        path,
        expression: set.fields[path.split('.')[0] ?? ''] ?? set.fields[path],
        message: issue.message,
      });
    }
  }
  const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return permanent(`mapping ${mappingVersionOf(set)} rejected deal ${bundle.deal.id}: ${detail}`, {
    field: errors[0]?.path,
  });
}
