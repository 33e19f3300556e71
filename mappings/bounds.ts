/**
 * Mapping expressions are written by admins, so evaluation is bounded: expression length,
 * evaluation time and stack depth (JSONata's own guardrails, checked at every evaluation step),
 * sequence length, and the size of each field's result. A runaway expression fails its field
 * with a readable error instead of hanging the worker.
 */
import jsonata from 'jsonata';

export const MAPPING_LIMITS = {
  /** Characters in one expression. */
  maxExpressionLength: 10_000,
  /** Milliseconds one field's evaluation may take. */
  timeoutMs: 250,
  /** Nested evaluation depth (catches non-terminating recursion). */
  maxDepth: 250,
  /** Items in one sequence (JSONata's sequence guard). */
  maxSequence: 100_000,
  /** Bytes of one field's JSON result. */
  maxResultBytes: 1_000_000,
} as const;

export class MappingLimitError extends Error {}

export function compileBounded(expression: string) {
  if (expression.length > MAPPING_LIMITS.maxExpressionLength) {
    throw new MappingLimitError(`expression is longer than ${MAPPING_LIMITS.maxExpressionLength} characters`);
  }
  return jsonata(expression, {
    timeout: MAPPING_LIMITS.timeoutMs,
    stack: MAPPING_LIMITS.maxDepth,
    sequence: MAPPING_LIMITS.maxSequence,
  });
}

export async function evaluateBounded(
  expression: string,
  input: unknown,
  bindings: Record<string, unknown>,
): Promise<unknown> {
  const value = await compileBounded(expression).evaluate(input, bindings);
  const size = value === undefined ? 0 : JSON.stringify(value).length;
  if (size > MAPPING_LIMITS.maxResultBytes) {
    throw new MappingLimitError(`result is larger than ${MAPPING_LIMITS.maxResultBytes} bytes`);
  }
  return value;
}

interface AstNode {
  type: string;
  value?: unknown;
  steps?: AstNode[];
  [key: string]: unknown;
}

/**
 * The source fields an expression reads, as dotted paths from the deal bundle's root
 * ("lineItems.unitPrice"), from its AST: the provenance a dry run shows next to each mapped value.
 * Paths inside a step (e.g. an object built per line item) are prefixed with the path leading to
 * it. Variables ($lookups, $defaults) are not sources.
 */
export function sourcePaths(expression: string): string[] {
  const found = new Set<string>();
  const visit = (node: unknown, prefix: string[]): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child, prefix);
      return;
    }
    const n = node as AstNode;
    if (n.type === 'path' && Array.isArray(n.steps)) {
      const fromRoot = n.steps[0]?.type === 'name';
      const names: string[] = [];
      for (const step of n.steps) {
        const context = fromRoot ? [...prefix, ...names] : prefix;
        if (step.type !== 'name') {
          visit(step, context);
          continue;
        }
        names.push(String(step.value));
        // Filters on a step (stages, predicates) read fields in the context of that step.
        for (const [key, value] of Object.entries(step)) {
          if (key !== 'value' && value && typeof value === 'object') visit(value, [...context, String(step.value)]);
        }
      }
      if (fromRoot && names.length > 0) found.add([...prefix, ...names].join('.'));
      return;
    }
    if (n.type === 'name') {
      found.add([...prefix, String(n.value)].join('.'));
      return;
    }
    for (const value of Object.values(n)) if (value && typeof value === 'object') visit(value, prefix);
  };
  visit(compileBounded(expression).ast(), []);
  return [...found].sort();
}
