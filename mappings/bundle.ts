/** A pasted deal bundle (dry run without a CRM call) is checked before any expression sees it; unknown fields are refused. */
import { z } from 'zod';
import { decimalStringSchema, isoDateSchema } from '../src/domain/grammar.js';

const address = z
  .object({
    line1: z.string(),
    city: z.string(),
    region: z.string(),
    postalCode: z.string(),
    country: z.string(),
  })
  .strict();

export const dealBundleSchema = z
  .object({
    source: z.enum(['salesforce', 'hubspot']),
    deal: z
      .object({
        id: z.string().min(1),
        name: z.string(),
        stage: z.string(),
        isWon: z.boolean(),
        closeDate: isoDateSchema,
        currency: z.string().nullable(),
        amount: z.string().nullable(),
        accountId: z.string().nullable(),
        lastModified: z.string(),
        renewalOf: z.string().nullable().default(null),
      })
      .strict(),
    account: z
      .object({ id: z.string(), name: z.string(), email: z.string().nullable(), billingAddress: address.nullable() })
      .strict()
      .nullable(),
    lineItems: z
      .array(
        z
          .object({
            id: z.string(),
            productId: z.string(),
            productCode: z.string().nullable(),
            productName: z.string(),
            quantity: decimalStringSchema,
            unitPrice: decimalStringSchema,
            description: z.string().nullable(),
            // Free-form: the CRM's own product fields, read by name in mappings.
            attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
          })
          .strict(),
      )
      .max(5000),
    // Older pasted bundles have no contacts: they map as a deal with none.
    contacts: z
      .array(
        z
          .object({
            id: z.string(),
            firstName: z.string().nullable(),
            lastName: z.string().nullable(),
            email: z.string().nullable(),
            phone: z.string().nullable(),
            role: z.string().nullable(),
            isPrimary: z.boolean(),
          })
          .strict(),
      )
      .max(1000)
      .default([]),
  })
  .strict();
