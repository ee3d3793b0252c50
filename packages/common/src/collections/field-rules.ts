import type { ErrorDetail } from '../errors/index.js';
import type { FieldDef, FieldType } from '../models/index.js';

const MAX_DEPTH = 3;
const UNIQUE_TYPES = new Set<FieldType>(['String', 'Number', 'Boolean', 'Date']);
const NO_DEFAULT = new Set<FieldType>(['Date', 'Object', 'Array', 'Ref']);

/** True when `v` has the JS type of a primitive field type. */
function isOfType(v: unknown, type: FieldType): boolean {
  if (type === 'String') return typeof v === 'string';
  if (type === 'Number') return typeof v === 'number';
  if (type === 'Boolean') return typeof v === 'boolean';
  return false;
}

type Add = (suffix: string, message: string) => void;

function checkConstraints(f: FieldDef, add: Add): void {
  const isString = f.type === 'String';
  const isNumber = f.type === 'Number';
  if (f.enum !== undefined) {
    if (!isString && !isNumber) add('enum', 'enum is only allowed on String and Number fields');
    else if (!f.enum.every((v) => isOfType(v, f.type))) add('enum', `enum values must all be of type ${f.type}`);
  }
  if ((f.min !== undefined || f.max !== undefined) && !isNumber) add('min', 'min/max are only allowed on Number fields');
  if (f.min !== undefined && f.max !== undefined && f.min > f.max) add('max', 'max must be greater than or equal to min');
  const hasLength = f.minLength !== undefined || f.maxLength !== undefined;
  if (hasLength && !isString && f.type !== 'Array')
    add('minLength', 'minLength/maxLength are only allowed on String and Array fields');
  if (f.minLength !== undefined && f.maxLength !== undefined && f.minLength > f.maxLength) {
    add('maxLength', 'maxLength must be greater than or equal to minLength');
  }
  if (f.pattern !== undefined) {
    if (!isString) add('pattern', 'pattern is only allowed on String fields');
    else {
      try {
        new RegExp(f.pattern);
      } catch {
        add('pattern', 'pattern is not a valid regular expression');
      }
    }
  }
  if (f.format !== undefined && !isString) add('format', 'format is only allowed on String fields');
}

/** Whether a default value satisfies the field's own constraints. */
function defaultProblem(f: FieldDef): string | null {
  const v = f.default;
  if (f.required) return 'default is not allowed together with required';
  if (NO_DEFAULT.has(f.type)) return `default is not allowed for ${f.type} fields`;
  if (!isOfType(v, f.type)) return `default must be a ${f.type}`;
  if (f.enum && !f.enum.includes(v as string | number)) return 'default must be one of the enum values';
  if (typeof v === 'number' && ((f.min !== undefined && v < f.min) || (f.max !== undefined && v > f.max))) {
    return 'default must be within min/max';
  }
  if (typeof v === 'string') {
    if ((f.minLength !== undefined && v.length < f.minLength) || (f.maxLength !== undefined && v.length > f.maxLength)) {
      return 'default must respect minLength/maxLength';
    }
    if (v.includes('\u0000')) return 'default must not contain NUL characters';
  }
  return null;
}

function checkShape(f: FieldDef, path: string, depth: number, add: Add, out: ErrorDetail[]): void {
  if (f.type === 'Object') {
    if (depth >= MAX_DEPTH) add('type', `Object fields cannot be nested deeper than ${MAX_DEPTH - 1} levels`);
    else if (!f.fields?.length) add('fields', 'Object fields need a non-empty fields list');
    else out.push(...semanticProblems(f.fields, `${path}.fields`, depth + 1));
  } else if (f.fields !== undefined) add('fields', 'fields is only allowed on Object fields');
  if (f.type === 'Array') {
    if (!f.items) add('items', 'Array fields need items: {type}');
    else if (f.items.type === ('Array' as FieldType)) add('items.type', 'nested arrays are not supported');
    else if (f.items.type === 'Object') {
      if (depth >= MAX_DEPTH) add('items.type', `Object items cannot be nested deeper than ${MAX_DEPTH - 1} levels`);
      else if (!f.items.fields?.length) add('items.fields', 'Array items of type Object need a non-empty fields list');
      else out.push(...semanticProblems(f.items.fields, `${path}.items.fields`, depth + 1));
    } else if (f.items.type === 'Ref' && !f.items.ref) add('items.ref', 'Array items of type Ref need ref');
  } else if (f.items !== undefined) add('items', 'items is only allowed on Array fields');
  if (f.type === 'Ref' && !f.ref) add('ref', 'Ref fields need ref (the target collection name)');
}

/**
 * Semantic rules of one field level (reference §5 and our additions). Returns every problem
 * found, with dotted paths; an empty array means the level is valid.
 */
export function semanticProblems(fields: FieldDef[], path: string, depth: number): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    const here = `${path}.${i}`;
    const add: Add = (suffix, message) => out.push({ path: `${here}.${suffix}`, message });
    if (seen.has(f.key)) add('key', `duplicate field '${f.key}'`);
    seen.add(f.key);
    if (f.unique) {
      if (depth > 1) add('unique', 'unique is only allowed on top-level fields');
      else if (!UNIQUE_TYPES.has(f.type)) add('unique', 'unique is only allowed on String, Number, Boolean and Date fields');
    }
    if (f.default !== undefined) {
      const problem = defaultProblem(f);
      if (problem) add('default', problem);
    }
    checkConstraints(f, add);
    checkShape(f, here, depth, add, out);
  });
  return out;
}
