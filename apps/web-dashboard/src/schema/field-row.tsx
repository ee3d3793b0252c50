import { useState } from 'react';
import { FIELD_TYPES, type FieldType } from '../api/types.js';
import { Checkbox, SelectField, TextField } from '../components/form.js';
import { Button } from '../components/ui.js';
import { type FieldDraft, MAX_DEPTH, isPrimitive, newDraft } from './schema-model.js';

export interface RowProps {
  draft: FieldDraft;
  depth: number;
  index: number;
  count: number;
  problems: Record<string, string>;
  refTargets: string[];
  path: string;
  onChange: (next: FieldDraft) => void;
  onRemove: () => void;
  onMove: (delta: -1 | 1) => void;
}

const ITEM_TYPES = FIELD_TYPES.filter((t) => t !== 'Array') as Exclude<FieldType, 'Array'>[];

function Constraints({ draft: d, set, path }: { draft: FieldDraft; set: (p: Partial<FieldDraft>) => void; path: string }) {
  const isString = d.type === 'String';
  const isNumber = d.type === 'Number';
  return (
    <div className="field-grid">
      {(isString || isNumber || d.type === 'Boolean') && (
        <TextField
          label="Default"
          placeholder={d.type === 'Boolean' ? 'true or false' : ''}
          value={d.defaultText}
          name={`${path}.default`}
          onChange={(e) => set({ defaultText: e.target.value })}
        />
      )}
      {(isString || isNumber) && (
        <TextField
          label="Allowed values"
          hint="Comma separated; empty means any."
          value={d.enumText}
          name={`${path}.enum`}
          onChange={(e) => set({ enumText: e.target.value })}
        />
      )}
      {(isString || isNumber) && (
        <>
          <TextField
            label={isString ? 'Min length' : 'Min'}
            inputMode="decimal"
            value={d.minText}
            name={`${path}.min`}
            onChange={(e) => set({ minText: e.target.value })}
          />
          <TextField
            label={isString ? 'Max length' : 'Max'}
            inputMode="decimal"
            value={d.maxText}
            name={`${path}.max`}
            onChange={(e) => set({ maxText: e.target.value })}
          />
        </>
      )}
      {isString && (
        <>
          <TextField
            label="Pattern (regex)"
            placeholder="^[a-z0-9-]+$"
            value={d.pattern}
            name={`${path}.pattern`}
            onChange={(e) => set({ pattern: e.target.value })}
          />
          <SelectField
            label="Format"
            value={d.format}
            name={`${path}.format`}
            options={[{ value: '', label: 'Any text' }, 'email', 'url', 'slug', 'color']}
            onChange={(e) => set({ format: e.target.value as FieldDraft['format'] })}
          />
        </>
      )}
    </div>
  );
}

/** One field of the schema editor; Object fields and Arrays of Objects nest their own rows. */
export function FieldRow(props: RowProps) {
  const { draft: d, depth, problems, refTargets, path, onChange } = props;
  const [open, setOpen] = useState(false);
  const set = (patch: Partial<FieldDraft>) => onChange({ ...d, ...patch });
  const hasChildren = d.type === 'Object' || (d.type === 'Array' && d.itemType === 'Object');
  const needsRef = d.type === 'Ref' || (d.type === 'Array' && d.itemType === 'Ref');
  const canUnique = depth === 1 && isPrimitive(d.type);
  const error = problems[d.id];
  const label = d.key || `field ${props.index + 1}`;
  return (
    <li className={`schema-row ${error ? 'schema-row-invalid' : ''}`} data-field={path}>
      <div className="schema-row-main">
        <TextField
          label="Field name"
          value={d.key}
          name={`${path}.key`}
          error={error}
          onChange={(e) => set({ key: e.target.value })}
        />
        <SelectField
          label="Type"
          value={d.type}
          name={`${path}.type`}
          options={FIELD_TYPES}
          onChange={(e) => {
            const type = e.target.value as FieldType;
            set({ type, unique: depth === 1 && isPrimitive(type) ? d.unique : false });
          }}
        />
        {d.type === 'Array' && (
          <SelectField
            label="Items"
            value={d.itemType}
            name={`${path}.items`}
            options={ITEM_TYPES}
            onChange={(e) => set({ itemType: e.target.value as FieldDraft['itemType'] })}
          />
        )}
        {needsRef && (
          <SelectField
            label="Points to"
            value={d.ref}
            name={`${path}.ref`}
            options={[{ value: '', label: 'Choose a collection' }, ...refTargets]}
            onChange={(e) => set({ ref: e.target.value })}
          />
        )}
        <div className="schema-flags">
          <Checkbox
            label="Required"
            checked={d.required}
            name={`${path}.required`}
            onChange={(e) => set({ required: e.target.checked })}
          />
          {canUnique && (
            <Checkbox
              label="Unique"
              checked={d.unique}
              name={`${path}.unique`}
              onChange={(e) => set({ unique: e.target.checked })}
            />
          )}
        </div>
        <div className="schema-actions">
          {isPrimitive(d.type) && d.type !== 'Date' && (
            <Button small variant="ghost" aria-expanded={open} onClick={() => setOpen(!open)}>
              {open ? 'Fewer options' : 'More options'}
            </Button>
          )}
          <Button
            small
            variant="ghost"
            aria-label={`Move ${label} up`}
            disabled={props.index === 0}
            onClick={() => props.onMove(-1)}
          >
            ↑
          </Button>
          <Button
            small
            variant="ghost"
            aria-label={`Move ${label} down`}
            disabled={props.index === props.count - 1}
            onClick={() => props.onMove(1)}
          >
            ↓
          </Button>
          <Button small variant="ghost" aria-label={`Remove ${label}`} onClick={props.onRemove}>
            Remove
          </Button>
        </div>
      </div>
      {open && isPrimitive(d.type) && <Constraints draft={d} set={set} path={path} />}
      {hasChildren && depth < MAX_DEPTH && (
        <div className="schema-children">
          <p className="muted small">{d.type === 'Object' ? `Fields of ${label}` : `Fields of each item in ${label}`}</p>
          <FieldList
            drafts={d.fields}
            depth={depth + 1}
            problems={problems}
            refTargets={refTargets}
            path={path}
            onChange={(fields) => set({ fields })}
          />
        </div>
      )}
    </li>
  );
}

/** An ordered list of field rows with an "Add field" button. */
export function FieldList({
  drafts,
  depth,
  problems,
  refTargets,
  path,
  onChange,
}: {
  drafts: FieldDraft[];
  depth: number;
  problems: Record<string, string>;
  refTargets: string[];
  path: string;
  onChange: (next: FieldDraft[]) => void;
}) {
  const replace = (i: number, next: FieldDraft) => onChange(drafts.map((d, j) => (j === i ? next : d)));
  const move = (i: number, delta: -1 | 1) => {
    const next = [...drafts];
    const [item] = next.splice(i, 1);
    if (item) next.splice(i + delta, 0, item);
    onChange(next);
  };
  return (
    <div>
      <ul className="schema-list">
        {drafts.map((d, i) => (
          <FieldRow
            key={d.id}
            draft={d}
            depth={depth}
            index={i}
            count={drafts.length}
            problems={problems}
            refTargets={refTargets}
            path={path ? `${path}.${i}` : String(i)}
            onChange={(next) => replace(i, next)}
            onRemove={() => onChange(drafts.filter((_, j) => j !== i))}
            onMove={(delta) => move(i, delta)}
          />
        ))}
      </ul>
      <Button small onClick={() => onChange([...drafts, newDraft()])}>
        + Add {depth > 1 ? 'sub-field' : 'field'}
      </Button>
    </div>
  );
}
