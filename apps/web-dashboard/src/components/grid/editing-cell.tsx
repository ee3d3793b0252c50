import type { FieldDef } from '../../api/types.js';

interface Props {
  column: string;
  rowId: string;
  field: FieldDef;
  draft: string;
  error?: string;
  busy?: boolean;
  onDraft: (draft: string) => void;
  onSave: () => void;
  onCancel: () => void;
}

/**
 * A grid cell being edited in place: the input (Enter saves, Escape cancels), the enum's values as
 * suggestions, ✓ / ✕ buttons, and the schema's or the server's error under it.
 */
export function EditingCell({ column, rowId, field, draft, error, busy, onDraft, onSave, onCancel }: Props) {
  const listId = field.enum?.length ? `grid-enum-${column}` : undefined;
  return (
    <td className="grid-editing" data-col={column}>
      <div className="grid-editor">
        <input
          // biome-ignore lint/a11y/noAutofocus: the editor opens on the user's own gesture
          autoFocus
          aria-label={`${column} of ${rowId}`}
          aria-invalid={error ? true : undefined}
          value={draft}
          disabled={busy}
          list={listId}
          onChange={(e) => onDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onSave();
            if (e.key === 'Escape') onCancel();
          }}
        />
        {listId ? (
          <datalist id={listId}>
            {field.enum?.map((v) => (
              <option key={String(v)} value={String(v)} />
            ))}
          </datalist>
        ) : null}
        <button type="button" className="grid-editor-btn" aria-label="Save" title="Save (Enter)" onClick={onSave}>
          ✓
        </button>
        <button type="button" className="grid-editor-btn" aria-label="Cancel" title="Cancel (Esc)" onClick={onCancel}>
          ✕
        </button>
      </div>
      {error && (
        <p className="cell-error" role="alert">
          {error}
        </p>
      )}
    </td>
  );
}
