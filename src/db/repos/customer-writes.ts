/** Changes to a customer the API makes (PATCH /api/v1/customers/{id}); org-scoped. */
import { and, eq } from 'drizzle-orm';
import type { PostalAddress } from '../../domain/deal.js';
import type { Db } from '../client.js';
import { customers } from '../schema.js';

export interface CustomerPatch {
  name?: string;
  email?: string | null;
  address?: PostalAddress | null;
}

/** Writes the fields given; the updated row, or undefined when the org has no such customer. */
export async function updateCustomer(db: Db, orgId: string, customerId: string, patch: CustomerPatch) {
  const set: Partial<typeof customers.$inferInsert> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.email !== undefined) set.email = patch.email;
  if (patch.address !== undefined) set.address = patch.address === null ? null : JSON.stringify(patch.address);
  const where = and(eq(customers.orgId, orgId), eq(customers.id, customerId));
  if (Object.keys(set).length === 0) {
    const [row] = await db.select().from(customers).where(where);
    return row;
  }
  const [row] = await db.update(customers).set(set).where(where).returning();
  return row;
}
