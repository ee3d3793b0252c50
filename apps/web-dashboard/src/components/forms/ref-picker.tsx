/**
 * A `Ref` field as a searchable picker: it searches the referenced collection through the
 * dashboard data route (`GET /api/projects/:id/collections/:ref/data`, `<field>_regex=` over the
 * first String field, or `_id=` when an id is typed) and stores the chosen document's `_id`.
 */
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { collectionsApi } from '../../api/projects.js';
import type { Collection, DataRow } from '../../api/types.js';
import { useApi } from '../../auth/auth-context.js';
import { escapeRegex } from '../../schema/field-rules.js';

function labelOf(row: DataRow, target: Collection | undefined): string {
  const key = target?.model.find((f) => f.type === 'String' && typeof row[f.key] === 'string')?.key;
  return key ? String(row[key]) : row._id;
}

export function RefPicker({
  label,
  hint,
  error,
  value,
  projectId,
  target,
  targetName,
  onChange,
}: {
  label: string;
  hint?: string;
  error?: string;
  value: string;
  projectId: string;
  target: Collection | undefined;
  targetName: string;
  onChange: (id: string) => void;
}) {
  const api = useApi();
  const id = useId();
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const searchField = target?.model.find((f) => f.type === 'String')?.key;
  const q = text.trim();
  const query: Record<string, string> = { limit: '8', sort: 'createdAt:desc' };
  if (/^[0-9a-f]{24}$/i.test(q)) query._id = q;
  else if (q && searchField) query[`${searchField}_regex`] = escapeRegex(q);
  const results = useQuery({
    queryKey: ['ref-picker', projectId, targetName, query],
    queryFn: () => collectionsApi.listData(api, projectId, targetName, query),
    enabled: open && Boolean(target),
  });
  const chosen = useQuery({
    queryKey: ['ref-label', projectId, targetName, value],
    queryFn: () => collectionsApi.listData(api, projectId, targetName, { _id: value, limit: '1' }),
    enabled: Boolean(target) && /^[0-9a-f]{24}$/i.test(value),
    staleTime: 60_000,
  });
  const chosenRow = chosen.data?.items[0];
  const listId = `${id}-list`;
  const items = results.data?.items ?? [];
  return (
    <div
      className={`field ref-picker ${error ? 'field-invalid' : ''}`}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <label htmlFor={id}>{label}</label>
      {value && (
        <div className="ref-chosen">
          <span>
            {chosenRow ? labelOf(chosenRow, target) : 'Selected'} <code className="small">{value}</code>
          </span>
          <button type="button" className="link-btn" onClick={() => onChange('')} aria-label={`Clear ${label}`}>
            Clear
          </button>
        </div>
      )}
      <input
        id={id}
        type="search"
        aria-invalid={error ? true : undefined}
        aria-describedby={hint || error ? `${id}-desc` : undefined}
        placeholder={target ? `Search ${targetName}${searchField ? ` by ${searchField}` : ''} or paste an id` : ''}
        value={text}
        disabled={!target}
        onFocus={() => setOpen(true)}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && open) {
            e.stopPropagation();
            e.preventDefault();
            setOpen(false);
          }
        }}
      />
      {open && target && (
        <ul id={listId} className="ref-options" aria-label={`Documents in ${targetName}`}>
          {results.isPending ? (
            <li className="muted small">Searching…</li>
          ) : results.error ? (
            <li className="field-error">Could not search {targetName}.</li>
          ) : items.length === 0 ? (
            <li className="muted small">No matching document.</li>
          ) : (
            items.map((row) => (
              <li key={row._id}>
                <button
                  type="button"
                  aria-pressed={row._id === value}
                  onClick={() => {
                    onChange(row._id);
                    setText('');
                    setOpen(false);
                  }}
                >
                  {labelOf(row, target)} <code className="small muted">{row._id}</code>
                </button>
              </li>
            ))
          )}
        </ul>
      )}
      <p id={`${id}-desc`} className={error ? 'field-error' : 'field-hint'} role={error ? 'alert' : undefined}>
        {error ?? (target ? hint : `The collection “${targetName}” does not exist.`)}
      </p>
    </div>
  );
}
