/** Mapping versions and dry runs over the API, against the Salesforce simulator. */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultMappings } from '../mappings/index.js';
import { auditLog, mappingSets } from '../src/db/schema.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const { id: _id, version: _v, crm: _crm, ...defaultDefinition } = defaultMappings.salesforce;
const withField = (field: string, expression: string) => ({
  ...defaultDefinition,
  fields: { ...defaultDefinition.fields, [field]: expression },
});
const post = (path: string, body: unknown) =>
  h.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('mapping versions', () => {
  it('refuses a definition with a broken expression, naming the field, and saves nothing', async () => {
    const res = await post('/api/v1/mappings', { crm: 'salesforce', definition: withField('currency', 'deal.(') });
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.errors[0].field).toBe('fields.currency');
    expect(await h.db.select().from(mappingSets)).toHaveLength(0);
  });

  it('dry-runs a draft against a deal read from the CRM, with provenance and a diff against the default', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const created = await readJson(
      await post('/api/v1/mappings', { crm: 'salesforce', definition: withField('paymentTermsDays', '45') }),
    );
    expect(created.version).toBe(1);
    expect(created.status).toBe('draft');

    const res = await post(`/api/v1/mappings/${created.id}/dry-run`, {
      deal_id: opportunityId,
      compare_with: 'default',
    });
    expect(res.status).toBe(200);
    const run = await readJson(res);
    expect(run.ok).toBe(true);
    expect(run.contract.paymentTermsDays).toBe(45);
    expect(run.invoicePreview.subtotalMinor).toBe(200_000);
    expect(run.invoicePreview.dueDate > run.invoicePreview.issueDate).toBe(true);
    expect(run.provenance['customer.name']).toEqual(['account.name']);
    expect(run.diff.map((d: { path: string }) => d.path)).toEqual(['paymentTermsDays']);
    // A dry run writes nothing.
    expect(h.sims.stripe.state.customers.size).toBe(0);
  });

  it('reports a runaway expression as a field error in the dry run instead of hanging', async () => {
    const created = await readJson(
      await post('/api/v1/mappings', {
        crm: 'salesforce',
        definition: withField('currency', '($f := function($n) { $f($n + 1) }; $f(0))'),
      }),
    );
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const run = await readJson(await post(`/api/v1/mappings/${created.id}/dry-run`, { deal_id: opportunityId }));
    expect(run.ok).toBe(false);
    expect(run.errors[0].path).toBe('currency');
  });

  it('publishes a version, the flow uses it and records it; publishing the older one rolls back', async () => {
    const v1 = await readJson(
      await post('/api/v1/mappings', { crm: 'salesforce', definition: withField('paymentTermsDays', '15') }),
    );
    const v2 = await readJson(
      await post('/api/v1/mappings', { crm: 'salesforce', definition: withField('paymentTermsDays', '60') }),
    );
    expect((await post(`/api/v1/mappings/${v2.id}/publish`, {})).status).toBe(200);

    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    expect(trace.contracts[0].mapping_version).toBe(`${v2.id}@2`);
    expect(trace.contracts[0].payment_terms_days).toBe(60);

    expect((await post(`/api/v1/mappings/${v1.id}/publish`, {})).status).toBe(200);
    const list = await readJson(await h.api('/api/v1/mappings?crm=salesforce'));
    expect(list.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [2, 'retired'],
      [1, 'published'],
    ]);
    const audit = await h.db.select().from(auditLog).where(eq(auditLog.orgId, h.orgId));
    expect(audit.map((a) => a.action).sort()).toEqual([
      'mapping.draft_created',
      'mapping.draft_created',
      'mapping.published',
      'mapping.published',
    ]);
  });

  it('rejects a pasted bundle that is not a deal bundle', async () => {
    const res = await post('/api/v1/mappings/default/dry-run', { bundle: { source: 'salesforce' } });
    expect(res.status).toBe(400);
    expect((await readJson(res)).errors[0].field).toMatch(/^bundle\./);
  });

  it('takes the built-in default as the list shows it, or pasted whole, but not for another CRM', async () => {
    const listed = await readJson(await h.api('/api/v1/mappings?crm=salesforce'));
    expect(listed.default_definition).toEqual(defaultDefinition);
    const fromList = await post('/api/v1/mappings', { crm: 'salesforce', definition: listed.default_definition });
    expect(fromList.status).toBe(201);
    const whole = await post('/api/v1/mappings', { crm: 'salesforce', definition: defaultMappings.salesforce });
    expect(whole.status).toBe(201);
    expect((await readJson(whole)).definition.fields).toEqual(defaultMappings.salesforce.fields);
    const wrong = await post('/api/v1/mappings', { crm: 'hubspot', definition: defaultMappings.salesforce });
    expect(wrong.status).toBe(400);
    expect((await readJson(wrong)).errors[0].field).toBe('definition.crm');
    expect(await h.db.select().from(mappingSets)).toHaveLength(2);
  });

  it('dry-runs `default` with the default of the deal’s own CRM', async () => {
    const hubspotBundle = {
      source: 'hubspot',
      deal: {
        id: '15301278452',
        name: 'Globex',
        stage: 'closedwon',
        isWon: true,
        closeDate: '2026-03-01',
        currency: 'USD',
        amount: '1000',
        accountId: '901',
        lastModified: '2026-03-01T10:00:00Z',
      },
      account: { id: '901', name: 'Globex', email: 'ap@globex.example', billingAddress: null },
      lineItems: [
        {
          id: 'li1',
          productId: 'p1',
          productCode: 'PLATFORM',
          productName: 'Platform',
          quantity: '1',
          unitPrice: '1000',
          description: null,
          attributes: {},
        },
      ],
    };
    const res = await readJson(await post('/api/v1/mappings/default/dry-run', { bundle: hubspotBundle }));
    expect(res.mapping.id).toBe(defaultMappings.hubspot.id);
    const asSalesforce = await readJson(
      await post('/api/v1/mappings/default/dry-run', { bundle: { ...hubspotBundle, source: 'salesforce' } }),
    );
    expect(asSalesforce.mapping.id).toBe(defaultMappings.salesforce.id);
  });
});
