/**
 * Checking a mapping set an admin submits: its shape, and that every expression compiles within
 * the bounds. Errors are per field (path, expression, message), never a half-saved mapping.
 */
import { z } from 'zod';
import type { CrmVendor } from '../src/domain/vendors.js';
import { compileBounded } from './bounds.js';
import type { FieldError, MappingSet } from './engine.js';

/** Target fields a mapping must set (the contract draft's required fields). */
export const TARGET_FIELDS = [
  'customer.sourceId',
  'customer.name',
  'customer.email',
  'customer.address',
  'currency',
  'startDate',
  'billingCadence',
  'billingTiming',
  'paymentTermsDays',
  'lines',
] as const;

/**
 * Target fields a mapping may leave out (contract terms beyond the issue-2 draft: the end of the
 * term and what happens then, a minimum commitment, invoice-level discounts). Per-line options
 * (cadence, timing, metric, freeUnits, discounts, any price model) sit inside `lines`.
 */
export const OPTIONAL_TARGET_FIELDS = ['endDate', 'termMonths', 'renewal', 'minimumCommitment', 'discounts'] as const;

export const mappingDefinitionSchema = z
  .object({
    description: z.string().max(2000).default(''),
    defaults: z.record(z.string(), z.unknown()).default({}),
    lookups: z.record(z.string(), z.unknown()).default({}),
    fields: z
      .record(z.enum(TARGET_FIELDS), z.string().min(1))
      .and(z.partialRecord(z.enum(OPTIONAL_TARGET_FIELDS), z.string().min(1))),
  })
  .strict();

export type MappingDefinition = z.infer<typeof mappingDefinitionSchema>;

/** Every target field must have an expression, and every expression must compile. */
export function checkDefinition(definition: MappingDefinition): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of TARGET_FIELDS) {
    const expression = definition.fields[field];
    if (expression === undefined) {
      errors.push({ path: `fields.${field}`, message: 'no expression for this required field' });
      continue;
    }
    compileInto(errors, field, expression);
  }
  for (const field of OPTIONAL_TARGET_FIELDS) {
    const expression = (definition.fields as Record<string, string | undefined>)[field];
    if (expression !== undefined) compileInto(errors, field, expression);
  }
  return errors;
}

function compileInto(errors: FieldError[], field: string, expression: string): void {
  try {
    compileBounded(expression);
  } catch (error) {
    errors.push({
      path: `fields.${field}`,
      expression,
      message: (error as { message?: string }).message ?? String(error),
    });
  }
}

export function toMappingSet(row: { id: string; crm: CrmVendor; version: number; definition: string }): MappingSet {
  const definition = JSON.parse(row.definition) as MappingDefinition;
  return {
    id: row.id,
    version: row.version,
    crm: row.crm,
    ...definition,
    fields: definition.fields as Record<string, string>,
  };
}
