export {
  OBJECT_ID_PATTERN,
  collectionSchema,
  fieldSchema,
  objectSchema,
  type JsonSchema,
  type SchemaMode,
} from './json-schema.js';
export { RESERVED_TYPE_NAMES, collectionTypeNames, propertyName, type CollectionTypeNames } from './names.js';
export { buildOpenApiDocument, type OpenApiKeyRole, type OpenApiOptions, type OpenApiProject } from './openapi.js';
export { createOpenApiCache, openApiVersionKey, type CachedOpenApi, type OpenApiCache } from './cache.js';
export { generateTypes, type TypedCollection } from './typescript.js';
export { generateZodModule } from './zod-module.js';
