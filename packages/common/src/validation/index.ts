export { validateDocument, type ValidationMode } from './document.js';
export { SYSTEM_FIELDS, collectValueProblems, isPlainObject, keyProblem } from './values.js';
export { documentBytes } from './size.js';
