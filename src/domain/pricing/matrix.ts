/**
 * matrix: the usage's group properties pick one cell, and the cell's own price (any model) rates
 * the usage. Each row names a value for every dimension; a usage that matches no row uses
 * `default`, and without a default it cannot be rated (an error, never a silent zero).
 * Orb's matrix does the same with per-unit cells; here a cell may be any price, even tiered.
 */
import { z } from 'zod';
import { specBaseShape } from './decimal';
import { fail, type Rater } from './types';

/**
 * A cell's price is any model, matrices included; schema.ts fixes `P` to its PriceSpec union
 * (MatrixSpec there), so this file needs no import of the union that imports it.
 */
export interface MatrixRowOf<P> {
  match: Record<string, string>;
  price: P;
}

export interface MatrixSpecOf<P> {
  model: 'matrix';
  currency?: string;
  dimensions: string[];
  rows: MatrixRowOf<P>[];
  default?: P;
}

/** Built from the full price schema so a cell can hold any model (schema.ts passes it in lazily). */
export function matrixSpecSchemaOf<P>(price: z.ZodType<P>) {
  return z
    .strictObject({
      model: z.literal('matrix'),
      ...specBaseShape,
      dimensions: z.array(z.string().min(1, 'must not be empty')).min(1, 'needs at least one dimension'),
      rows: z.array(z.strictObject({ match: z.record(z.string(), z.string()), price })),
      default: price.optional(),
    })
    .superRefine((spec, ctx) => {
      const dims = new Set(spec.dimensions);
      if (dims.size !== spec.dimensions.length) {
        ctx.addIssue({ code: 'custom', path: ['dimensions'], message: 'dimensions must be unique' });
      }
      if (spec.rows.length === 0 && spec.default === undefined) {
        ctx.addIssue({ code: 'custom', path: ['rows'], message: 'needs at least one row or a default price' });
      }
      const seen = new Map<string, number>();
      spec.rows.forEach((row, i) => {
        const keys = Object.keys(row.match);
        const extra = keys.filter((k) => !dims.has(k));
        const missing = spec.dimensions.filter((d) => !Object.hasOwn(row.match, d));
        if (extra.length > 0 || missing.length > 0) {
          const parts = [
            missing.length > 0 ? `missing ${missing.join(', ')}` : '',
            extra.length > 0 ? `unknown ${extra.join(', ')}` : '',
          ].filter(Boolean);
          ctx.addIssue({
            code: 'custom',
            path: ['rows', i, 'match'],
            message: `must give a value for exactly the dimensions ${spec.dimensions.join(', ')} (${parts.join('; ')})`,
          });
          return;
        }
        const key = cellKey(spec.dimensions, row.match);
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['rows', i, 'match'], message: `duplicates row ${earlier}` });
        } else {
          seen.set(key, i);
        }
      });
    });
}

function cellKey(dimensions: readonly string[], values: Readonly<Record<string, string>>): string {
  return JSON.stringify(dimensions.map((d) => values[d] ?? null));
}

function cellLabel(dimensions: readonly string[], values: Readonly<Record<string, string>>): string {
  return dimensions.map((d) => `${d}=${values[d]}`).join(', ');
}

export const rateMatrix: Rater<MatrixSpecOf<unknown>> = (spec, usage, ctx) => {
  const wanted = cellKey(spec.dimensions, usage.properties);
  const row = spec.rows.find((r) => cellKey(spec.dimensions, r.match) === wanted);
  const price = row?.price ?? spec.default;
  if (price === undefined) {
    fail(
      'usage.properties',
      `no matrix row matches ${cellLabel(spec.dimensions, usage.properties)} and the price has no default`,
    );
  }
  const cell = row ? cellLabel(spec.dimensions, row.match) : 'default';
  const rated = ctx.rateNested(price, usage);
  return { ...rated, breakdown: rated.breakdown.map((line) => ({ ...line, label: `[${cell}] ${line.label}` })) };
};
