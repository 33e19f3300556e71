import hubspotDeal from './defaults/hubspot-deal.json' with { type: 'json' };
import salesforceOpportunity from './defaults/salesforce-opportunity.json' with { type: 'json' };
import type { MappingSet } from './engine.js';

export { sourcePaths } from './bounds.js';
export { checkDefinition, type MappingDefinition, mappingDefinitionSchema, toMappingSet } from './definition.js';
export {
  applyMapping,
  evaluationError,
  type FieldError,
  type MappingResult,
  type MappingSet,
  mapDeal,
  mappingFailure,
  mappingVersionOf,
} from './engine.js';

/** The default mapping sets, shipped as data. */
export const defaultMappings = {
  salesforce: salesforceOpportunity as MappingSet,
  hubspot: hubspotDeal as MappingSet,
} as const;
