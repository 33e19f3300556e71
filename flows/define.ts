/**
 * Declaring a flow step by step, so each step's context knows the outputs before it:
 *
 *   defineFlow<InvoiceInput>(POST_INVOICE_TO_ERP, ({ adapters }) => adapters.erp.vendor)
 *     .step({ name: 'createErpCustomer', storedAs: 'erp-customer', external: true, run: ... })
 *     .step({ name: 'createErpInvoice', ..., run: (ctx) => ... ctx.outputs.createErpCustomer.externalId })
 *     .build();
 *
 * The types are erased in the built Flow: the runner keeps outputs by name and the builder
 * is what guarantees that a name maps to that step's output type.
 */
import type { Flow, FlowGate, Step, StepSpec } from './types.js';

export class FlowBuilder<I, P extends object> {
  constructor(
    private readonly name: string,
    private readonly connectionKey: Flow<I>['connectionKey'],
    private readonly steps: readonly Step<I>[],
    private readonly gateCheck?: FlowGate<I>,
  ) {}

  /** The check every attempt passes before its first unfinished step (see FlowGate). */
  gate(check: FlowGate<I>): FlowBuilder<I, P> {
    return new FlowBuilder(this.name, this.connectionKey, this.steps, check);
  }

  /** Appends a step; its name must be new in the flow (a repeated name is a type error). */
  step<N extends string, O>(
    spec: StepSpec<I, P, N, O> & { name: N extends keyof P ? never : N },
  ): FlowBuilder<I, P & { readonly [K in N]: O }> {
    // Erasing P and O is sound: the runner passes each step the outputs of the steps before it.
    const step = spec as unknown as Step<I>;
    return new FlowBuilder(this.name, this.connectionKey, [...this.steps, step], this.gateCheck);
  }

  build(): Flow<I> {
    for (const key of ['name', 'storedAs'] as const) {
      const seen = new Set<string>();
      for (const step of this.steps) {
        if (seen.has(step[key])) throw new Error(`flow ${this.name} has two steps with ${key} "${step[key]}"`);
        seen.add(step[key]);
      }
    }
    return {
      name: this.name,
      connectionKey: this.connectionKey,
      steps: [...this.steps],
      ...(this.gateCheck ? { gate: this.gateCheck } : {}),
    };
  }
}

export function defineFlow<I>(name: string, connectionKey: Flow<I>['connectionKey']): FlowBuilder<I, object> {
  return new FlowBuilder<I, object>(name, connectionKey, []);
}
