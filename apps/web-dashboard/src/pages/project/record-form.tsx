import { type FormEvent, useRef, useState } from 'react';
import type { DataRow, FieldDef } from '../../api/types.js';
import { Checkbox, SelectField, TextArea, TextField } from '../../components/form.js';
import { RefPicker } from '../../components/forms/ref-picker.js';
import { confirmDiscard, useUnsavedChanges } from '../../components/forms/unsaved.js';
import { Modal } from '../../components/modal.js';
import { Button, ErrorBanner } from '../../components/ui.js';
import { fieldErrors } from '../../lib/api-client.js';
import { checkValue, constraintHint } from '../../schema/field-rules.js';
import { useProject } from './layout.js';

type Values = Record<string, unknown>;
const SYSTEM = new Set(['_id', 'createdAt', 'updatedAt', '__v']);

/** The field that describes one item of an Array field (named like the array, for messages). */
function itemField(f: FieldDef): FieldDef {
  return { key: f.key, type: f.items?.type ?? 'String', fields: f.items?.fields, ref: f.items?.ref } as FieldDef;
}

/** The form value of a stored value; `undefined` on a new document takes the schema default. */
function toInput(f: FieldDef, v: unknown): unknown {
  if (f.type === 'Object') {
    const obj = (v && typeof v === 'object' ? v : {}) as Values;
    return Object.fromEntries((f.fields ?? []).map((sf) => [sf.key, toInput(sf, obj[sf.key])]));
  }
  if (f.type === 'Array') return Array.isArray(v) ? v.map((x) => toInput(itemField(f), x)) : [];
  if (f.type === 'Boolean') return v === true ? 'true' : v === false ? 'false' : '';
  if (f.type === 'Date' && (typeof v === 'string' || typeof v === 'number')) {
    // datetime-local wants local wall-clock time; the stored value is UTC.
    const d = new Date(v);
    return Number.isNaN(d.getTime())
      ? String(v)
      : new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  }
  return v === undefined || v === null ? '' : String(v);
}

/** Initial values: the row's, or the schema defaults for a new document. */
function initialValues(schema: FieldDef[], row: DataRow | null): Values {
  return Object.fromEntries(
    schema.map((f) => [f.key, toInput(f, row ? row[f.key] : f.default === null ? undefined : f.default)]),
  );
}

/** Converts one input value back to its JSON type; records a problem under `path` when it cannot or breaks a rule. */
function fromInput(f: FieldDef, raw: unknown, path: string, problems: Record<string, string>): unknown {
  if (f.type === 'Object') {
    const obj = (raw ?? {}) as Values;
    const out: Values = {};
    for (const sf of f.fields ?? []) {
      const v = fromInput(sf, obj[sf.key], `${path}.${sf.key}`, problems);
      if (v !== undefined) out[sf.key] = v;
    }
    if (!Object.keys(out).length && f.required) problems[path] = 'This field is required.';
    return Object.keys(out).length ? out : undefined;
  }
  if (f.type === 'Array') {
    const list = Array.isArray(raw) ? raw : [];
    const item = itemField(f);
    const out: unknown[] = [];
    list.forEach((x, i) => {
      const v = fromInput({ ...item, required: true }, x, `${path}.${i}`, problems);
      if (v !== undefined) out.push(v);
    });
    if (!out.length) {
      if (f.required) problems[path] = 'Add at least one item.';
      return list.length ? out : undefined;
    }
    return out;
  }
  const s = typeof raw === 'string' ? raw.trim() : '';
  if (s === '') {
    if (f.required) problems[path] = 'This field is required.';
    return undefined;
  }
  let value: unknown = typeof raw === 'string' && f.type === 'String' ? raw : s;
  if (f.type === 'Number') {
    value = Number(s);
    if (!Number.isFinite(value)) {
      problems[path] = 'Enter a number.';
      return value;
    }
  }
  if (f.type === 'Boolean') value = s === 'true';
  if (f.type === 'Date') {
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) {
      problems[path] = 'Enter a valid date.';
      return s;
    }
    value = d.toISOString();
  }
  const problem = checkValue(f, value);
  if (problem) problems[path] = problem;
  return value;
}

function hintOf(f: FieldDef): string | undefined {
  const base = constraintHint(f);
  if (f.type === 'Ref') return [`A document of ${f.ref ?? 'the target collection'}`, base].filter(Boolean).join(' · ');
  return base;
}

function Input({
  f,
  value,
  path,
  label,
  error,
  onChange,
}: { f: FieldDef; value: unknown; path: string; label?: string; error?: string; onChange: (v: unknown) => void }) {
  const { project, projectId } = useProject();
  const common = { label: label ?? `${f.key}${f.required ? ' *' : ''}`, hint: hintOf(f), error, name: path };
  if (f.type === 'Ref') {
    const targetName = f.ref ?? '';
    return (
      <RefPicker
        {...common}
        value={String(value ?? '')}
        projectId={projectId}
        targetName={targetName}
        target={project.collections?.find((c) => c.name === targetName)}
        onChange={onChange}
      />
    );
  }
  if (f.type === 'Boolean') {
    return (
      <SelectField
        {...common}
        value={String(value)}
        options={[{ value: '', label: '(empty)' }, 'true', 'false']}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  if (f.enum?.length) {
    return (
      <SelectField
        {...common}
        value={String(value)}
        options={[{ value: '', label: '(empty)' }, ...f.enum.map(String)]}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  const type = f.type === 'Number' ? 'number' : f.type === 'Date' ? 'datetime-local' : f.format === 'email' ? 'email' : 'text';
  return (
    <TextField
      {...common}
      type={type}
      step={f.type === 'Number' ? 'any' : undefined}
      min={f.type === 'Number' ? f.min : undefined}
      max={f.type === 'Number' ? f.max : undefined}
      maxLength={f.type === 'String' ? f.maxLength : undefined}
      value={String(value)}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** An Array field as an editable list: one input (or group) per item, add and remove. */
function ListField({
  f,
  value,
  path,
  errors,
  onChange,
}: { f: FieldDef; value: unknown[]; path: string; errors: Record<string, string>; onChange: (v: unknown[]) => void }) {
  const item = itemField(f);
  const set = (i: number, v: unknown) => onChange(value.map((x, j) => (j === i ? v : x)));
  return (
    <fieldset className={`nested list-field ${errors[path] ? 'field-invalid' : ''}`}>
      <legend>
        {f.key}
        {f.required ? ' *' : ''} <span className="muted small">list of {item.type}</span>
      </legend>
      {value.length === 0 && <p className="muted small">No items.</p>}
      {value.map((x, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: list items have no identity beyond their position
        <div className="list-item" key={i}>
          {item.type === 'Object' ? (
            <fieldset className="nested">
              <legend>
                {f.key} item {i + 1}
              </legend>
              <Fields
                fields={item.fields ?? []}
                values={(x ?? {}) as Values}
                prefix={`${path}.${i}`}
                errors={errors}
                onChange={(v) => set(i, v)}
              />
            </fieldset>
          ) : (
            <Input
              f={item}
              label={`${f.key} item ${i + 1}`}
              path={`${path}.${i}`}
              value={x}
              error={errors[`${path}.${i}`]}
              onChange={(v) => set(i, v)}
            />
          )}
          <Button
            small
            variant="ghost"
            aria-label={`Remove item ${i + 1} of ${f.key}`}
            onClick={() => onChange(value.filter((_, j) => j !== i))}
          >
            Remove
          </Button>
        </div>
      ))}
      <div>
        <Button small onClick={() => onChange([...value, toInput(item, undefined)])}>
          + Add {f.key} item
        </Button>
      </div>
      {errors[path] && (
        <p className="field-error" role="alert">
          {errors[path]}
        </p>
      )}
    </fieldset>
  );
}

function Fields({
  fields,
  values,
  prefix,
  errors,
  onChange,
}: { fields: FieldDef[]; values: Values; prefix: string; errors: Record<string, string>; onChange: (v: Values) => void }) {
  return (
    <>
      {fields.map((f) => {
        const path = prefix ? `${prefix}.${f.key}` : f.key;
        if (f.type === 'Object') {
          return (
            <fieldset key={f.key} className={`nested ${errors[path] ? 'field-invalid' : ''}`}>
              <legend>{f.key}</legend>
              <Fields
                fields={f.fields ?? []}
                values={(values[f.key] ?? {}) as Values}
                prefix={path}
                errors={errors}
                onChange={(v) => onChange({ ...values, [f.key]: v })}
              />
              {errors[path] && (
                <p className="field-error" role="alert">
                  {errors[path]}
                </p>
              )}
            </fieldset>
          );
        }
        if (f.type === 'Array') {
          return (
            <ListField
              key={f.key}
              f={f}
              path={path}
              value={Array.isArray(values[f.key]) ? (values[f.key] as unknown[]) : []}
              errors={errors}
              onChange={(v) => onChange({ ...values, [f.key]: v })}
            />
          );
        }
        return (
          <Input
            key={f.key}
            f={f}
            path={path}
            value={values[f.key] ?? ''}
            error={errors[path]}
            onChange={(v) => onChange({ ...values, [f.key]: v })}
          />
        );
      })}
    </>
  );
}

interface EditorProps {
  schema: FieldDef[];
  row: DataRow | null;
  onSave: (doc: Values) => Promise<unknown>;
  /** After a successful save. */
  onDone: () => void;
  /** Cancel: the caller asks about unsaved changes through `confirmDiscard`. */
  onCancel: (dirty: boolean) => void;
  onDirtyChange?: (dirty: boolean) => void;
}

/** The schema-built document form (also shown in the grid's drawer); `RecordForm` wraps it in a dialog. */
export function RecordEditor({ schema, row, onSave, onDone, onCancel, onDirtyChange }: EditorProps) {
  const initial = useRef<Values>(initialValues(schema, row));
  const [values, setValues] = useState<Values>(initial.current);
  const extras = row
    ? Object.fromEntries(Object.entries(row).filter(([k]) => !SYSTEM.has(k) && !schema.some((f) => f.key === k)))
    : {};
  const [mode, setMode] = useState<'form' | 'json'>(schema.length ? 'form' : 'json');
  const initialJson = useRef(
    JSON.stringify(row ? Object.fromEntries(Object.entries(row).filter(([k]) => !SYSTEM.has(k))) : {}, null, 2),
  );
  const [json, setJson] = useState(initialJson.current);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const dirty = JSON.stringify(values) !== JSON.stringify(initial.current) || json !== initialJson.current;
  const lastDirty = useRef(false);
  if (lastDirty.current !== dirty) {
    lastDirty.current = dirty;
    queueMicrotask(() => onDirtyChange?.(dirty));
  }
  useUnsavedChanges(dirty && !busy);

  const build = (): Values | null => {
    if (mode === 'json') {
      try {
        const parsed: unknown = JSON.parse(json);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        return parsed as Values;
      } catch {
        setError('The JSON is not a valid object.');
        return null;
      }
    }
    const problems: Record<string, string> = {};
    const doc: Values = { ...extras };
    for (const f of schema) {
      const v = fromInput(f, values[f.key], f.key, problems);
      if (v !== undefined) doc[f.key] = v;
      else if (row && row[f.key] !== undefined) doc[f.key] = null;
    }
    setErrors(problems);
    if (Object.keys(problems).length) {
      setError('Fix the highlighted fields.');
      return null;
    }
    return doc;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const doc = build();
    if (!doc) return;
    setBusy(true);
    try {
      await onSave(doc);
      initial.current = values;
      initialJson.current = json;
      onDone();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
      {schema.length > 0 && (
        <Checkbox label="Edit as JSON" checked={mode === 'json'} onChange={(e) => setMode(e.target.checked ? 'json' : 'form')} />
      )}
      {mode === 'form' ? (
        <div className="form-grid">
          <Fields
            fields={schema}
            values={values}
            prefix=""
            errors={errors}
            onChange={(v) => {
              setValues(v);
              if (Object.keys(errors).length) setErrors({});
            }}
          />
        </div>
      ) : (
        <TextArea label="Document (JSON)" className="mono" rows={14} value={json} onChange={(e) => setJson(e.target.value)} />
      )}
      <ErrorBanner error={error} />
      <div className="row-end">
        <Button onClick={() => onCancel(dirty)}>Cancel</Button>
        <Button type="submit" variant="primary" busy={busy}>
          {row ? 'Save changes' : 'Add document'}
        </Button>
      </div>
    </form>
  );
}

/** Add / edit a document with a form built from the schema, or as raw JSON, in a dialog. */
export function RecordForm({
  schema,
  row,
  onSave,
  onClose,
}: { schema: FieldDef[]; row: DataRow | null; onSave: (doc: Values) => Promise<unknown>; onClose: () => void }) {
  const dirty = useRef(false);
  return (
    <Modal title={row ? 'Edit document' : 'Add document'} onClose={() => confirmDiscard(dirty.current, onClose)} wide>
      <RecordEditor
        schema={schema}
        row={row}
        onSave={onSave}
        onDone={onClose}
        onCancel={(d) => confirmDiscard(d, onClose)}
        onDirtyChange={(d) => {
          dirty.current = d;
        }}
      />
    </Modal>
  );
}
