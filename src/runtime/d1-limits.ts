/**
 * D1's per-query limits, enforced before a query reaches D1. Real D1 refuses a batch over its
 * per-invocation query limit and a statement over its bound-parameter or length limit; Miniflare
 * (the D1 of `wrangler dev` and of our workerd tests) enforces none of them, so without this a
 * write that only fails in production could pass every test. openD1() wraps every binding with
 * it: in tests it is the check, in production it turns D1's refusal into a message that names
 * the limit.
 *
 * Limits: https://developers.cloudflare.com/d1/platform/limits/ ("Queries per Worker invocation
 * 1000 (Workers Paid) / 50 (Free)", "Maximum bound parameters per query 100", "Maximum SQL
 * statement length 100,000 bytes (100 KB)", "Maximum string, BLOB or table row size 2,000,000
 * bytes (2 MB)"). Every statement of a batch() is a query of the invocation.
 */

export const D1_LIMITS = Object.freeze({
  /** Statements in one batch(), and queries per invocation, on Workers Paid (50 on Free). */
  statementsPerBatch: 1000,
  queriesPerInvocation: 1000,
  boundParametersPerStatement: 100,
  /** Bytes of SQL text per statement. */
  statementBytes: 100_000,
  /** Bytes of one bound string (a JSON parameter, say). */
  valueBytes: 2_000_000,
});

export class D1LimitError extends Error {
  override name = 'D1LimitError';
}

interface Bindable {
  bind(...values: unknown[]): unknown;
}
interface Binding {
  prepare(query: string): unknown;
  batch(statements: unknown[]): Promise<unknown[]>;
}

const utf8 = new TextEncoder();

/** Bytes of `text` in UTF-8 (counted only when the length alone could pass the limit). */
function bytesOver(text: string, limit: number): boolean {
  return text.length > limit || (text.length * 3 > limit && utf8.encode(text).length > limit);
}

export interface D1LimitOptions {
  /**
   * The invocation a query runs in (a request's execution context, say), to count its queries;
   * undefined (the default, or outside any invocation) counts nothing per invocation.
   */
  invocation?: () => object | undefined;
  /** Default D1_LIMITS.queriesPerInvocation (Workers Paid); 50 models the Free plan. */
  queriesPerInvocation?: number;
  /** Where the per-invocation counts are kept, for a caller that bounds its work by them (the worker). */
  counts?: WeakMap<object, number>;
}

/**
 * The same binding, with prepare() refusing SQL over the length limit, bind() refusing more
 * than 100 values or a string over 2 MB, and batch() refusing more than 1,000 statements. With
 * options.invocation, every bound statement (drizzle binds each query once, values or not) counts
 * as a query of the current invocation, and the one past the limit is refused. Bound statements
 * are D1's own objects, so batch() still receives them.
 */
export function withD1Limits<B extends Binding>(binding: B, options: D1LimitOptions = {}): B {
  const limits = D1_LIMITS;
  const perInvocation = options.queriesPerInvocation ?? limits.queriesPerInvocation;
  const queries = options.counts ?? new WeakMap<object, number>();
  const count = () => {
    const invocation = options.invocation?.();
    if (invocation === undefined) return;
    const n = (queries.get(invocation) ?? 0) + 1;
    queries.set(invocation, n);
    if (n > perInvocation) {
      throw new D1LimitError(`D1 limit: more than ${perInvocation} queries in one invocation`);
    }
  };
  const prepare = (query: string) => {
    if (bytesOver(query, limits.statementBytes)) {
      throw new D1LimitError(`D1 limit: SQL statement longer than ${limits.statementBytes} bytes`);
    }
    const statement = binding.prepare(query) as Bindable;
    const bind = (...values: unknown[]) => {
      if (values.length > limits.boundParametersPerStatement) {
        throw new D1LimitError(
          `D1 limit: ${values.length} bound parameters in one statement (at most ${limits.boundParametersPerStatement})`,
        );
      }
      for (const value of values) {
        if (typeof value === 'string' && bytesOver(value, limits.valueBytes)) {
          throw new D1LimitError(`D1 limit: a bound value longer than ${limits.valueBytes} bytes`);
        }
      }
      count();
      return statement.bind(...values);
    };
    // A view of D1's statement with a checked bind(); bind() returns D1's own bound statement,
    // which is what batch() gets. (Patching bind on the statement itself does not work through
    // Miniflare's proxy of it.)
    return new Proxy(statement, {
      get(target, property) {
        if (property === 'bind') return bind;
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  const batch = (statements: unknown[]) => {
    if (statements.length > limits.statementsPerBatch) {
      return Promise.reject(
        new D1LimitError(
          `D1 limit: ${statements.length} statements in one batch (at most ${limits.statementsPerBatch} queries per invocation)`,
        ),
      );
    }
    return binding.batch(statements);
  };
  return new Proxy(binding, {
    get(target, property, receiver) {
      if (property === 'prepare') return prepare;
      if (property === 'batch') return batch;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
