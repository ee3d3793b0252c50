import { type FormEvent, useState } from 'react';
import type { DataRow, FieldDef } from '../../api/types.js';
import { Checkbox, SelectField, TextArea, TextField } from '../../components/form.js';
import { Modal } from '../../components/modal.js';
import { Button, ErrorBanner } from '../../components/ui.js';
import { fieldErrors } from '../../lib/api-client.js';

type Values = Record<string, unknown>;
const SYSTEM = new Set(['_id', 'createdAt', 'updatedAt', '__v']);

function toInput(f: FieldDef, v: unknown): unknown {
  if (f.type === 'Object') {
    const obj = (v && typeof v === 'object' ? v : {}) as Values;
    return Object.fromEntries((f.fields ?? []).map((sf) => [sf.key, toInput(sf, obj[sf.key])]));
  }
  if (f.type === 'Boolean') return v === true ? 'true' : v === false ? 'false' : '';
  if (f.type === 'Array') return v === undefined || v === null ? '' : JSON.stringify(v, null, 1);
  if (f.type === 'Date' && (typeof v === 'string' || typeof v === 'number')) {
    // datetime-local wants local wall-clock time; the stored value is UTC.
    const d = new Date(v);
    return Number.isNaN(d.getTime())
      ? String(v)
      : new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  }
  return v === undefined || v === null ? '' : String(v);
}

/** Converts one input value back to its JSON type; records a problem under `path` when it cannot. */
function fromInput(f: FieldDef, raw: unknown, path: string, problems: Record<string, string>): unknown {
  if (f.type === 'Object') {
    const obj = (raw ?? {}) as Values;
    const out: Values = {};
    for (const sf of f.fields ?? []) {
      const v = fromInput(sf, obj[sf.key], `${path}.${sf.key}`, problems);
      if (v !== undefined) out[sf.key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  const s = typeof raw === 'string' ? raw.trim() : '';
  if (s === '') {
    if (f.required) problems[path] = 'This field is required.';
    return undefined;
  }
  if (f.type === 'Number') {
    const n = Number(s);
    if (!Number.isFinite(n)) problems[path] = 'Enter a number.';
    return n;
  }
  if (f.type === 'Boolean') return s === 'true';
  if (f.type === 'Date') {
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) problems[path] = 'Enter a valid date.';
    return Number.isNaN(d.getTime()) ? s : d.toISOString();
  }
  if (f.type === 'Array') {
    try {
      const parsed: unknown = JSON.parse(s);
      if (!Array.isArray(parsed)) problems[path] = 'Enter a JSON array, like ["a", "b"].';
      return parsed;
    } catch {
      problems[path] = 'Enter a JSON array, like ["a", "b"].';
      return undefined;
    }
  }
  return typeof raw === 'string' ? raw : s;
}

function Input({
  f,
  value,
  path,
  error,
  onChange,
}: { f: FieldDef; value: unknown; path: string; error?: string; onChange: (v: unknown) => void }) {
  const label = `${f.key}${f.required ? ' *' : ''}`;
  const hint =
    f.type === 'Ref'
      ? `Id of a document in ${f.ref ?? 'the target collection'}`
      : f.type === 'Array'
        ? `JSON array of ${f.items?.type ?? 'values'}`
        : undefined;
  const common = { label, hint, error, name: path };
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
  if (f.type === 'Array')
    return <TextArea {...common} rows={3} className="mono" value={String(value)} onChange={(e) => onChange(e.target.value)} />;
  const type = f.type === 'Number' ? 'number' : f.type === 'Date' ? 'datetime-local' : 'text';
  return (
    <TextField
      {...common}
      type={type}
      step={f.type === 'Number' ? 'any' : undefined}
      value={String(value)}
      onChange={(e) => onChange(e.target.value)}
    />
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
            <fieldset key={f.key} className="nested">
              <legend>{f.key}</legend>
              <Fields
                fields={f.fields ?? []}
                values={(values[f.key] ?? {}) as Values}
                prefix={path}
                errors={errors}
                onChange={(v) => onChange({ ...values, [f.key]: v })}
              />
            </fieldset>
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

/** Add / edit a document with a form built from the schema, or as raw JSON. */
export function RecordForm({
  schema,
  row,
  onSave,
  onClose,
}: { schema: FieldDef[]; row: DataRow | null; onSave: (doc: Values) => Promise<unknown>; onClose: () => void }) {
  const [values, setValues] = useState<Values>(() => Object.fromEntries(schema.map((f) => [f.key, toInput(f, row?.[f.key])])));
  const extras = row
    ? Object.fromEntries(Object.entries(row).filter(([k]) => !SYSTEM.has(k) && !schema.some((f) => f.key === k)))
    : {};
  const [mode, setMode] = useState<'form' | 'json'>(schema.length ? 'form' : 'json');
  const [json, setJson] = useState(() =>
    JSON.stringify(row ? Object.fromEntries(Object.entries(row).filter(([k]) => !SYSTEM.has(k))) : {}, null, 2),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

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
      onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Modal title={row ? 'Edit document' : 'Add document'} onClose={onClose} wide>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        {schema.length > 0 && (
          <Checkbox
            label="Edit as JSON"
            checked={mode === 'json'}
            onChange={(e) => setMode(e.target.checked ? 'json' : 'form')}
          />
        )}
        {mode === 'form' ? (
          <div className="form-grid">
            <Fields fields={schema} values={values} prefix="" errors={errors} onChange={setValues} />
          </div>
        ) : (
          <TextArea label="Document (JSON)" className="mono" rows={14} value={json} onChange={(e) => setJson(e.target.value)} />
        )}
        <ErrorBanner error={error} />
        <div className="row-end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            {row ? 'Save changes' : 'Add document'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
