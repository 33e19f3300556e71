/**
 * The books' API over the whole path on Node: after the demo deal is invoiced, paid and posted,
 * the trial balance balances, the journal reads as JSON and CSV, the chart is editable (a posted
 * account is deactivated, never deleted), and a closed period takes no new entries.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerEntries, ledgerLines } from '../src/db/schema.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function demoDealPaid() {
  const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
  await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
  await h.settle();
}

const send = (path: string, method: string, body?: unknown) =>
  h.api(path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });

describe('ledger API', () => {
  it('balances the trial balance and lists the journal as JSON and CSV', async () => {
    await demoDealPaid();
    const tb = await readJson(await h.api('/api/v1/ledger/trial-balance?period=2026-03'));
    expect(tb.balanced).toBe(true);
    expect(tb.currency_totals).toHaveLength(1);
    const [usd] = tb.currency_totals;
    expect(usd.currency).toBe('USD');
    expect(usd.debit_minor).toBe(usd.credit_minor);
    expect(usd.debit_minor).toBeGreaterThan(0);
    const balance = (account: string) => tb.accounts.find((a: { account: string }) => a.account === account);
    // Invoiced 2,145.00 with tax and paid in full: nothing left receivable, tax owed, revenue earned.
    expect(balance('accounts_receivable').balance_minor).toBe(0);
    expect(balance('tax_payable').balance_minor).toBe(14_500);
    expect(balance('revenue').balance_minor).toBe(200_000);
    expect(balance('revenue').name).toBe('Revenue');

    // The month before holds nothing.
    const feb = await readJson(await h.api('/api/v1/ledger/trial-balance?period=2026-02'));
    expect(feb).toMatchObject({ balanced: true, currency_totals: [], accounts: [] });

    const journal = await readJson(await h.api('/api/v1/ledger/journal?period=2026-03'));
    const kinds = journal.data.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['invoice_issued', 'payment_received']));
    for (const entry of journal.data) {
      const debits = entry.lines.reduce((s: number, l: { debit_minor: number }) => s + l.debit_minor, 0);
      const credits = entry.lines.reduce((s: number, l: { credit_minor: number }) => s + l.credit_minor, 0);
      expect(debits).toBe(credits);
    }
    const onePerPage = await readJson(await h.api('/api/v1/ledger/journal?period=2026-03&limit=1'));
    expect(onePerPage.data).toHaveLength(1);
    const second = await readJson(
      await h.api(`/api/v1/ledger/journal?period=2026-03&limit=1&cursor=${onePerPage.next_cursor}`),
    );
    expect(second.data[0].id).toBe(journal.data[1].id);

    const csv = await h.api('/api/v1/ledger/journal?period=2026-03', { headers: { accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = (await csv.text()).trim().split('\r\n');
    expect(rows[0]).toBe(
      'entry_id,occurred_at,kind,source_type,source_id,memo,account,currency,debit_minor,credit_minor,debit,credit',
    );
    const lineCount = journal.data.reduce((s: number, e: { lines: unknown[] }) => s + e.lines.length, 0);
    expect(rows).toHaveLength(1 + lineCount);
    expect(rows.some((r) => r.includes(',tax_payable,USD,0,14500,0.00,145.00'))).toBe(true);

    const bad = await h.api('/api/v1/ledger/trial-balance?period=2026-13');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it('edits the chart: adds sub-accounts, deletes an unposted account, only deactivates a posted one', async () => {
    await demoDealPaid();
    const chart = await readJson(await h.api('/api/v1/ledger/accounts'));
    const codes = chart.data.map((a: { code: string }) => a.code);
    expect(codes).toEqual(expect.arrayContaining(['accounts_receivable', 'deferred_revenue', 'unbilled_receivables']));

    const created = await send('/api/v1/ledger/accounts', 'POST', {
      code: 'cash:stripe:EUR',
      name: 'Stripe EUR clearing',
    });
    expect(created.status).toBe(201);
    expect(await readJson(created)).toMatchObject({
      code: 'cash:stripe:EUR',
      type: 'asset',
      active: true,
      system: false,
    });
    expect((await send('/api/v1/ledger/accounts', 'POST', { code: 'cash:stripe:EUR', name: 'again' })).status).toBe(
      409,
    );
    const wrongType = await send('/api/v1/ledger/accounts', 'POST', { code: 'revenue:x', name: 'x', type: 'expense' });
    expect(wrongType.status).toBe(422);
    expect((await readJson(wrongType)).errors[0].field).toBe('type');

    // Never posted: it goes; a system account and a posted one do not.
    expect((await send('/api/v1/ledger/accounts/cash:stripe:EUR', 'DELETE')).status).toBe(204);
    expect((await send('/api/v1/ledger/accounts/cash:stripe:EUR', 'DELETE')).status).toBe(404);
    expect((await send('/api/v1/ledger/accounts/revenue', 'DELETE')).status).toBe(409);
    expect((await send('/api/v1/ledger/accounts/revenue', 'PATCH', { active: false })).status).toBe(409);

    // A deleted default account stays deleted (the default chart is laid once).
    expect((await send('/api/v1/ledger/accounts/discounts', 'DELETE')).status).toBe(204);
    const after = await readJson(await h.api('/api/v1/ledger/accounts'));
    expect(after.data.map((a: { code: string }) => a.code)).not.toContain('discounts');

    // An account posted to by hand (e.g. through a journal an ERP import wrote) can only be deactivated.
    await send('/api/v1/ledger/accounts', 'POST', { code: 'revenue:services', name: 'Services' });
    await h.db.update(ledgerLines).set({ account: 'revenue:services' }).where(eq(ledgerLines.account, 'revenue'));
    const refused = await send('/api/v1/ledger/accounts/revenue:services', 'DELETE');
    expect(refused.status).toBe(409);
    expect((await readJson(refused)).detail).toContain('deactivate');
    const deactivated = await send('/api/v1/ledger/accounts/revenue:services', 'PATCH', { active: false });
    expect(deactivated.status).toBe(200);
    expect((await readJson(deactivated)).active).toBe(false);
  });

  it('dates an entry of a closed period into the next open one', async () => {
    const closed = await send('/api/v1/ledger/periods/2026-03/close', 'POST');
    expect(closed.status).toBe(200);
    expect((await readJson(closed)).period).toBe('2026-03');
    await demoDealPaid();
    const entries = await h.db.select().from(ledgerEntries).where(eq(ledgerEntries.orgId, h.orgId));
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e.occurredAt >= '2026-04-01').toBe(true);
    const march = await readJson(await h.api('/api/v1/ledger/journal?period=2026-03'));
    expect(march.data).toEqual([]);
    const periods = await readJson(await h.api('/api/v1/ledger/periods'));
    expect(periods.data.map((p: { period: string }) => p.period)).toEqual(['2026-03']);
  });

  it("closes the month's revenue once after the demo deal, and the trial balance still balances", async () => {
    await demoDealPaid();
    const first = await send('/api/v1/revenue/close?period=2026-03', 'POST');
    expect(first.status).toBe(200);
    const booked = await readJson(first);
    expect(booked.entries_booked).toBe(1);
    const [doc] = booked.documents;
    expect(doc.defer_minor).toBeGreaterThan(0);
    expect(
      doc.obligations
        .map((o: { allocated_minor: number }) => o.allocated_minor)
        .reduce((a: number, b: number) => a + b, 0),
    ).toBe(200_000);

    const again = await readJson(await send('/api/v1/revenue/close?period=2026-03', 'POST'));
    expect(again).toMatchObject({ entries_booked: 0, already_booked: 1 });
    const journal = await readJson(await h.api('/api/v1/ledger/journal?period=2026-03'));
    expect(journal.data.filter((e: { kind: string }) => e.kind === 'revenue_recognized')).toHaveLength(1);

    const tb = await readJson(await h.api('/api/v1/ledger/trial-balance?period=2026-03'));
    expect(tb.balanced).toBe(true);
    for (const t of tb.currency_totals) expect(t.debit_minor).toBe(t.credit_minor);
    const balance = (account: string) =>
      tb.accounts.find((a: { account: string }) => a.account === account)?.balance_minor;
    expect(balance('deferred_revenue')).toBe(doc.deferred_at_end_minor);
    expect(balance('revenue') + balance('deferred_revenue')).toBe(200_000);

    const waterfall = await readJson(await h.api('/api/v1/revenue/waterfall?from=2026-03&to=2026-05'));
    expect(waterfall.months).toEqual(['2026-03', '2026-04', '2026-05']);
    expect(waterfall.rows[0].billed_minor).toBe(200_000);
    expect(waterfall.rows[0].deferred_at_end_minor[0]).toBe(doc.deferred_at_end_minor);
    const csv = await h.api('/api/v1/revenue/waterfall?from=2026-03&to=2026-05', { headers: { accept: 'text/csv' } });
    expect((await csv.text()).trim().split('\r\n')).toHaveLength(1 + 3);

    // A month not begun cannot be closed.
    expect((await send('/api/v1/revenue/close?period=2026-04', 'POST')).status).toBe(422);
  });
});
