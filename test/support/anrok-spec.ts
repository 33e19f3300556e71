/**
 * Reads the trimmed Anrok API description (../shared/apispecs/anrok.json) at test time and checks
 * our requests against it. Not copied into the project ("all rights reserved").
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

interface SpecOperation {
  method: string;
  path: string;
  request: { required: string[]; properties: Record<string, string> };
}

interface AnrokSpec {
  base_url: string;
  operations: SpecOperation[];
  schemas: Record<string, { required: string[]; properties: Record<string, string> }>;
}

export const anrokSpec: AnrokSpec = JSON.parse(
  readFileSync(new URL('../../../shared/apispecs/anrok.json', import.meta.url), 'utf8'),
);

/** The operation whose templated path (`id:{transactionId}`) matches a concrete path. */
export function anrokOperation(method: string, path: string): SpecOperation {
  const op = anrokSpec.operations.find((o) => {
    const pattern = new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return o.method === method.toUpperCase() && pattern.test(path);
  });
  if (!op) throw new Error(`${method} ${path} is not in the Anrok API description`);
  return op;
}

/** A value of the description's scalar type names (string, integer, boolean, string(date), ...). */
function checkType(type: string, value: unknown, where: string): void {
  if (type.startsWith('integer')) expect(Number.isInteger(value), `${where} is an integer`).toBe(true);
  else if (type.startsWith('string')) expect(typeof value, `${where} is a string`).toBe('string');
  else if (type.startsWith('boolean')) expect(typeof value, `${where} is a boolean`).toBe('boolean');
  else if (type.startsWith('array')) expect(Array.isArray(value), `${where} is an array`).toBe(true);
  if (type === 'string(date)') expect(String(value)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
}

/**
 * A request body against its operation: every required field present, no field the description
 * does not name, scalar types as described; line items against TransactionLineItem, addresses
 * against CustomerAddress.
 */
export function expectAnrokRequest(method: string, path: string, body: Record<string, unknown>): void {
  const op = anrokOperation(method, path);
  for (const field of op.request.required) expect(body, `${path} requires ${field}`).toHaveProperty(field);
  for (const [field, value] of Object.entries(body)) {
    const type = op.request.properties[field];
    expect(type, `${path}: ${field} is in the description`).toBeDefined();
    if (type && /^(string|integer|boolean|array)/.test(type)) checkType(type, value, `${path}.${field}`);
  }
  if (Array.isArray(body.lineItems)) {
    const item = anrokSpec.schemas.TransactionLineItem!;
    for (const [i, line] of (body.lineItems as Record<string, unknown>[]).entries()) {
      for (const field of item.required) expect(line, `lineItems[${i}] requires ${field}`).toHaveProperty(field);
      for (const [field, value] of Object.entries(line)) {
        const type = item.properties[field];
        expect(type, `lineItems[${i}].${field} is in TransactionLineItem`).toBeDefined();
        checkType(type!, value, `lineItems[${i}].${field}`);
      }
    }
  }
  if (body.customerAddress) {
    const address = anrokSpec.schemas.CustomerAddress!;
    for (const field of Object.keys(body.customerAddress as object)) {
      expect(address.properties[field], `customerAddress.${field} is in CustomerAddress`).toBeDefined();
    }
  }
}
