export { cursorFilter, decodeCursor, encodeCursor, type SortKey } from './cursor.js';
export {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  MAX_OFFSET_WINDOW,
  MAX_REGEX_LENGTH,
  RESERVED_PARAMS,
  parseListQuery,
  parsePopulate,
  parseReadOptions,
  parseSort,
  type ListQuery,
} from './list-query.js';
export { checkPipeline, AGGREGATE_STAGES } from './pipeline.js';
export { splitPipeline, type PipelineSplit } from './pipeline-engine.js';
export {
  FORBIDDEN_SEGMENTS,
  assertSafePath,
  castQueryValue,
  isDeclaredPath,
  typeOfPath,
  type PathType,
} from './schema-paths.js';
