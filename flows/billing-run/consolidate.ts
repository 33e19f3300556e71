/**
 * Consolidation (issue #10, the org's `consolidate` billing setting): the invoices one chunk
 * computed, one per contract period, folded into one per customer, billing (issue) date and
 * currency. Each line keeps the contract and period it bills; a customer with a single period
 * that day keeps an ordinary invoice. Pure: the caller writes the result.
 *
 * The consolidated invoice takes the id and natural key of its first period (by contract, period
 * start, kind), its total is the sum, its due date the earliest of its periods' (the strictest
 * payment terms win), and the prepaid credit its periods drew moves with them to it.
 */
import type { InvoiceRowInput } from '../../src/db/repos/billing-runs.js';
import type { ConsolidatedInvoiceInput } from '../../src/db/repos/consolidated-invoices.js';
import type { CreditUse } from '../../src/db/repos/credits.js';

export interface Consolidated {
  ordinary: InvoiceRowInput[];
  consolidated: ConsolidatedInvoiceInput[];
}

const byPeriod = (a: InvoiceRowInput, b: InvoiceRowInput) =>
  a.contractId.localeCompare(b.contractId) ||
  a.periodStart.localeCompare(b.periodStart) ||
  a.kind.localeCompare(b.kind);

/** Folds `computed`; `credits` (the chunk's grant draws) are repointed at the invoices that now hold them. */
export function consolidateInvoices(computed: readonly InvoiceRowInput[], credits: CreditUse[]): Consolidated {
  const groups = new Map<string, InvoiceRowInput[]>();
  for (const inv of computed) {
    const key = `${inv.customerId}|${inv.issueDate}|${inv.currency}`;
    groups.set(key, [...(groups.get(key) ?? []), inv]);
  }
  const out: Consolidated = { ordinary: [], consolidated: [] };
  const movedTo = new Map<string, string>();
  for (const group of groups.values()) {
    if (group.length === 1) {
      out.ordinary.push(group[0]!);
      continue;
    }
    const periods = [...group].sort(byPeriod);
    const first = periods[0]!;
    const id = `inv_c${first.id.slice(4)}`;
    for (const p of periods) movedTo.set(p.id, id);
    const lines = periods.flatMap((p) =>
      p.lines.map((line) => ({
        ...line,
        billed: { contractId: p.contractId, periodStart: p.periodStart, periodEnd: p.periodEnd, kind: p.kind },
      })),
    );
    out.consolidated.push({
      ...first,
      id,
      totalMinor: periods.reduce((sum, p) => sum + p.totalMinor, 0),
      dueDate: periods.map((p) => p.dueDate).sort()[0]!,
      lines: lines.map((line, i) => ({ ...line, id: `inl_${id.slice(4)}_${i + 1}` })),
      lateEventIds: periods.flatMap((p) => p.lateEventIds ?? []),
      periods: periods.map((p) => ({ contractId: p.contractId, periodStart: p.periodStart, kind: p.kind })),
      documentKind: periods.some((p) => p.kind === 'advance') ? 'recurring' : 'usage',
    });
  }
  for (const use of credits) use.invoiceId = movedTo.get(use.invoiceId) ?? use.invoiceId;
  return out;
}
