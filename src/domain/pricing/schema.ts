/**
 * PriceSpec: a price as plain JSON, one zod schema per model joined on `model`.
 * Money amounts inside a spec are decimal strings in MAJOR units of the contract currency.
 */
import { z } from 'zod';
import { inputIssues } from '../grammar';
import { type FlatFeeSpec, flatFeeSpecSchema } from './flat-fee';
import { type MatrixRowOf, type MatrixSpecOf, matrixSpecSchemaOf } from './matrix';
import { type PackageSpec, packageSpecSchema } from './package';
import { type PerUnitSpec, perUnitSpecSchema } from './per-unit';
import { type PercentSpec, percentSpecSchema } from './percent';
import { type StepSpec, stepSpecSchema } from './step';
import { type TieredSpec, tieredSpecSchema } from './tiered';
import { type Tiered2dSpec, tiered2dSpecSchema } from './tiered-2d';
import { type VolumeSpec, volumeSpecSchema } from './volume';

export type PriceSpec =
  | FlatFeeSpec
  | PerUnitSpec
  | PackageSpec
  | TieredSpec
  | VolumeSpec
  | StepSpec
  | PercentSpec
  | MatrixSpec
  | Tiered2dSpec;

export type MatrixSpec = MatrixSpecOf<PriceSpec>;
export type MatrixRow = MatrixRowOf<PriceSpec>;

export type PriceModel = PriceSpec['model'];

// Matrix cells hold any price, matrices included; z.lazy defers the self-reference until parse time.
const nestedPriceSchema: z.ZodType<PriceSpec> = z.lazy(() => priceSpecSchema);

export const priceSpecSchema = z.discriminatedUnion('model', [
  flatFeeSpecSchema,
  perUnitSpecSchema,
  packageSpecSchema,
  tieredSpecSchema,
  volumeSpecSchema,
  stepSpecSchema,
  percentSpecSchema,
  matrixSpecSchemaOf(nestedPriceSchema),
  tiered2dSpecSchema,
]);

export interface SpecIssue {
  /** Dotted path to the offending field, e.g. "tiers.2.up_to" ("" for the spec itself). */
  path: string;
  message: string;
}

export type ParsedPriceSpec = { ok: true; spec: PriceSpec } | { ok: false; issues: SpecIssue[] };

export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((part) => String(part)).join('.');
}

export function toIssues(error: z.ZodError): SpecIssue[] {
  return inputIssues(error.issues).map((issue) => ({ path: issuePath(issue.path), message: issue.message }));
}

/** Validates untrusted JSON (API body, stored contract) into a PriceSpec, or names every bad field. */
export function parsePriceSpec(input: unknown): ParsedPriceSpec {
  const result = priceSpecSchema.safeParse(input);
  return result.success ? { ok: true, spec: result.data } : { ok: false, issues: toIssues(result.error) };
}
