/**
 * Reads the trimmed AvaTax API description (../shared/apispecs/avalara.json) at test time and
 * checks our requests and responses against it. Not copied into the project (licence unstated).
 */
import { readFileSync } from 'node:fs';

interface SpecOperation {
  method: string;
  path: string;
  request_example?: Record<string, unknown>;
}

interface AvalaraSpec {
  operations: SpecOperation[];
  create_transaction_minimum_fields: { fields: string[] };
  response_key_fields: { fields: string[] };
}

export const spec: AvalaraSpec = JSON.parse(
  readFileSync(new URL('../../../shared/apispecs/avalara.json', import.meta.url), 'utf8'),
);

/** The operation whose templated path ({companyCode}...) matches a concrete path, or undefined. */
export function findOperation(method: string, path: string): SpecOperation | undefined {
  return spec.operations.find((op) => {
    const pattern = new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return op.method === method.toUpperCase() && pattern.test(path);
  });
}

/** Top-level CreateTransaction fields the dev guide requires: companyCode, code, type, date, customerCode, addresses, lines. */
export function minimumTransactionFields(): string[] {
  return spec.create_transaction_minimum_fields.fields.map((f) => /^[A-Za-z]+/.exec(f)?.[0] ?? f);
}

/** Line fields named in the spec ("lines[] {amount (required), quantity, ...}") and which are required. */
export function lineFields(): { all: string[]; required: string[] } {
  const entry = spec.create_transaction_minimum_fields.fields.find((f) => f.startsWith('lines'));
  const inner = /\{(.*)\}/.exec(entry ?? '')?.[1] ?? '';
  const parts = inner.split(',').map((p) => p.trim());
  return {
    all: parts.map((p) => p.split(' ')[0]),
    required: parts.filter((p) => p.includes('(required)')).map((p) => p.split(' ')[0]),
  };
}

/** Top-level TransactionModel fields the spec lists (id, code, companyId, ... messages). */
export function responseKeyFields(): string[] {
  return spec.response_key_fields.fields.map((f) => /^[A-Za-z]+/.exec(f)?.[0] ?? f);
}
