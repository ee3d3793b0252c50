export { COLLECTION_NAME_PATTERN, assertCollectionName, collectionNameProblem } from './names.js';
export {
  FIELD_FORMATS,
  FIELD_TYPES,
  MAX_FIELD_DEPTH,
  MAX_FIELDS_PER_LEVEL,
  MAX_PATTERN_LENGTH,
  canBeUnique,
  fieldListSchema,
  parseFieldList,
} from './fields.js';
export { semanticProblems } from './field-rules.js';
export {
  USERS_COLLECTION,
  defaultRls,
  isUsersCollection,
  mergeRls,
  rlsUpdateSchema,
  usersSchemaProblem,
  type RlsUpdate,
} from './rls.js';
export { assertNoDuplicates, syncUniqueIndexes, uniqueIndexName } from './unique-indexes.js';
export { syncQueryIndexes } from './query-indexes.js';
export {
  createCollectionService,
  type CollectionService,
  type CollectionServiceDeps,
} from './collection.service.js';
