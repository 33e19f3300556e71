/**
 * The mapping editor's form, read back into a mapping definition with the errors at the field they
 * belong to: `fields.<target>` for an expression, `defaults` / `lookups` for their JSON,
 * `lookup_tables.<n>` for a lookup edited as a table, `bundle` for the pasted deal. The same definition schema and compile check as POST /api/v1/mappings.
 */

import { OPTIONAL_TARGET_FIELDS, TARGET_FIELDS } from '../../../mappings/definition.js';
import {
  checkDefinition,
  type FieldError,
  type MappingDefinition,
  type MappingSet,
  mappingDefinitionSchema,
} from '../../../mappings/index.js';
import type { CrmVendor } from '../../domain/vendors.js';
import type { FieldProblem } from '../problem.js';
import { readLookupTables } from './lookup-tables.js';

export const EDITOR_FIELDS: readonly string[] = [...TARGET_FIELDS, ...OPTIONAL_TARGET_FIELDS];
export const REQUIRED_FIELDS: ReadonlySet<string> = new Set(TARGET_FIELDS);

export const FIELD_PREFIX = 'field.';

/** An element id for a form path ("fields.customer.name" → "error-fields-customer-name"). */
export function errorSlotId(path: string): string {
  return `error-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

type Body = Record<string, string | File | (string | File)[]>;

function text(body: Body, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

function jsonObject(body: Body, name: string, errors: FieldProblem[]): Record<string, unknown> {
  const raw = text(body, name).trim();
  if (raw === '') return {};
  try {
    const value = JSON.parse(raw) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    errors.push({ field: name, message: 'must be a JSON object' });
  } catch (error) {
    errors.push({ field: name, message: `not valid JSON: ${(error as Error).message}` });
  }
  return {};
}

export interface ReadDefinition {
  crm: CrmVendor;
  definition: MappingDefinition | undefined;
  errors: FieldProblem[];
}

export function readDefinitionForm(body: Body): ReadDefinition {
  const crm: CrmVendor = text(body, 'crm') === 'hubspot' ? 'hubspot' : 'salesforce';
  const errors: FieldProblem[] = [];
  const fields: Record<string, string> = {};
  for (const field of EDITOR_FIELDS) {
    const expression = text(body, `${FIELD_PREFIX}${field}`).trim();
    if (expression !== '') fields[field] = expression;
  }
  // The lookups the JSON box holds, and those edited as tables (a name may be in only one).
  const listed = jsonObject(body, 'lookups', errors);
  const tables = readLookupTables(body, errors);
  for (const name of Object.keys(tables)) {
    if (name in listed) errors.push({ field: 'lookups', message: `${name} is also a table below: keep one` });
  }
  const raw = {
    description: text(body, 'description'),
    defaults: jsonObject(body, 'defaults', errors),
    lookups: { ...listed, ...tables },
    fields,
  };
  const parsed = mappingDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      errors.push({
        field: path.startsWith('fields.') || path === 'fields' ? path : path.split('.')[0]!,
        message: issue.message,
      });
    }
    return { crm, definition: undefined, errors };
  }
  for (const e of checkDefinition(parsed.data)) errors.push({ field: e.path, message: e.message });
  return { crm, definition: errors.length === 0 ? parsed.data : undefined, errors };
}

/** The draft as a mapping set the engine can run (it has no id or version until it is saved). */
export function draftSet(crm: CrmVendor, definition: MappingDefinition): MappingSet {
  return { id: 'draft', version: 0, crm, ...definition, fields: definition.fields as Record<string, string> };
}

/**
 * Puts each engine error at the editor field it comes from: an evaluation error names its target
 * ("currency"), a validation error a path inside one ("lines.0.quantity" → fields.lines). Errors no
 * field owns stay general.
 */
export function placeEngineErrors(errors: readonly FieldError[]): { byField: FieldProblem[]; general: string[] } {
  const byField: FieldProblem[] = [];
  const general: string[] = [];
  const targets = [...EDITOR_FIELDS].sort((a, b) => b.length - a.length);
  for (const e of errors) {
    const owner = targets.find((t) => e.path === t || e.path.startsWith(`${t}.`));
    const message = owner && e.path !== owner ? `${e.path}: ${e.message}` : e.message;
    if (owner) byField.push({ field: `fields.${owner}`, message });
    else general.push(`${e.path}: ${e.message}`);
  }
  return { byField, general };
}
