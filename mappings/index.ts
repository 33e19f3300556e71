import salesforceOpportunity from './defaults/salesforce-opportunity.json' with { type: 'json' };
import type { MappingSet } from './engine.js';

export { applyMapping, type MappingResult, type MappingSet, mappingVersionOf } from './engine.js';

/** The default mapping sets, shipped as data. */
export const defaultMappings = {
  salesforce: salesforceOpportunity as MappingSet,
} as const;
