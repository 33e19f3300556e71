/**
 * The shared input grammar (src/domain/grammar.ts) as OpenAPI-aware zod schemas for the routes:
 * every date, timestamp and decimal string of the public API is checked by these.
 */
import { z } from '@hono/zod-openapi';
import { DATE_RULE, isIsoDate, isTimestamp, TIMESTAMP_RULE } from '../domain/grammar.js';

export const isoDateInput = z.string({ error: DATE_RULE }).refine(isIsoDate, DATE_RULE).openapi({ format: 'date' });
export const timestampInput = z
  .string({ error: TIMESTAMP_RULE })
  .refine(isTimestamp, TIMESTAMP_RULE)
  .openapi({ format: 'date-time' });
