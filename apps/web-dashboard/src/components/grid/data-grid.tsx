/**
 * The collection data grid (issue 17): TanStack Table over the page of documents the API returned.
 * Sticky selection + `_id` columns on the left and the row actions on the right, so Edit / JSON /
 * Delete stay visible however wide the schema is; the grid scrolls sideways inside its own box.
 * Headers sort through the query (manual sorting), columns can be hidden and resized (remembered
 * per collection), scalar cells are edited in place (double-click, Enter or F2) with the schema's
 * rules checked before the save and the server's answer shown on the cell. Pages over 50 rows are
 * virtualised (TanStack Virtual): only the rows in view (plus an overscan) are in the DOM, between
 * two spacer rows, so a 500-row page scrolls like a 20-row one.
 */
import {
  type ColumnDef,
  type ColumnSizingState,
  type RowSelectionState,
  type Updater,
  type VisibilityState,
  flexRender,
  getCoreRowModel,
  useReactTable,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, type MouseEvent, type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import type { DataRow, FieldDef } from '../../api/types.js';
import { errorMessage, fieldErrors } from '../../lib/api-client.js';
import { cellText, formatDate } from '../../lib/format.js';
import { checkValue, inlineEditable, parseCell } from '../../schema/field-rules.js';
import { EditingCell } from './editing-cell.js';
import { useGridPrefs } from './grid-prefs.js';

export interface GridSort {
  field: string;
  dir: 'asc' | 'desc';
}

interface Props {
  rows: DataRow[];
  schema: FieldDef[];
  /** localStorage key for hidden columns and widths (one per project + collection). */
  prefsKey: string;
  sort: GridSort;
  onSort: (sort: GridSort) => void;
  selected: string[];
  onSelect: (ids: string[]) => void;
  onOpen: (row: DataRow) => void;
  actions: (row: DataRow) => ReactNode;
  rowClassName?: (row: DataRow) => string | undefined;
  /** Saves one field of one row; throws the ApiError when the server refuses. Omitted = read only. */
  onCellSave?: (row: DataRow, field: FieldDef, value: unknown) => Promise<void>;
  /** Called when an inline edit starts (the page closes its drawer). */
  onEditStart?: () => void;
  label: string;
}

const SELECT = '__select';
/** Row count from which only the visible rows are rendered. */
const VIRTUALIZE_FROM = 50;
/** First guess of a row's height (px) before it is measured. */
const ROW_ESTIMATE = 45;
const ACTIONS = '__actions';
const DEFAULT_HIDDEN: VisibilityState = { updatedAt: false };

function apply<T>(u: Updater<T>, old: T): T {
  return typeof u === 'function' ? (u as (o: T) => T)(old) : u;
}

function display(value: unknown, isDate: boolean): string {
  if (isDate && value) return formatDate(value as string);
  return cellText(value);
}

interface Editing {
  rowId: string;
  field: string;
  draft: string;
  error?: string;
  busy?: boolean;
}

function draftOf(f: FieldDef, v: unknown): string {
  if (v === undefined || v === null) return '';
  if (f.type === 'Date') {
    const d = new Date(v as string);
    return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
  }
  return String(v);
}

export function DataGrid(props: Props) {
  const { rows, schema, prefsKey, sort, onSort, selected, onSelect, onOpen, actions, rowClassName, onCellSave, label } = props;
  const { onEditStart } = props;
  const [prefs, setPrefs] = useGridPrefs(prefsKey);
  const [editing, setEditing] = useState<Editing | null>(null);
  const byKey = useMemo(() => new Map(schema.map((f) => [f.key, f])), [schema]);

  const columns = useMemo<ColumnDef<DataRow>[]>(() => {
    const data: ColumnDef<DataRow>[] = ['_id', ...schema.map((f) => f.key), 'createdAt', 'updatedAt'].map((key) => ({
      id: key,
      header: key,
      accessorFn: (r: DataRow) => r[key],
      size: key === '_id' ? 220 : byKey.get(key)?.type === 'Object' || byKey.get(key)?.type === 'Array' ? 220 : 170,
      minSize: 70,
      maxSize: 800,
      enableHiding: key !== '_id',
    }));
    return [
      { id: SELECT, header: '', size: 40, enableResizing: false, enableHiding: false },
      ...data,
      { id: ACTIONS, header: '', size: 215, enableResizing: false, enableHiding: false },
    ];
  }, [schema, byKey]);

  const rowSelection: RowSelectionState = Object.fromEntries(selected.map((id) => [id, true]));
  const table = useReactTable({
    data: rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r._id,
    manualSorting: true,
    enableRowSelection: true,
    columnResizeMode: 'onChange',
    state: {
      columnVisibility: { ...DEFAULT_HIDDEN, ...prefs.hidden },
      columnSizing: prefs.sizes,
      rowSelection,
    },
    onColumnVisibilityChange: (u) =>
      setPrefs({ ...prefs, hidden: apply<VisibilityState>(u, { ...DEFAULT_HIDDEN, ...prefs.hidden }) }),
    onColumnSizingChange: (u) => setPrefs({ ...prefs, sizes: apply<ColumnSizingState>(u, prefs.sizes) }),
    onRowSelectionChange: (u) =>
      onSelect(
        Object.entries(apply(u, rowSelection))
          .filter(([, v]) => v)
          .map(([k]) => k),
      ),
  });

  const scrollRef = useRef<HTMLDivElement>(null);
  const modelRows = table.getRowModel().rows;
  const isVirtual = modelRows.length > VIRTUALIZE_FROM;
  const virtualizer = useVirtualizer({
    count: modelRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE,
    getItemKey: (i) => modelRows[i]?.id ?? i,
    overscan: 12,
    enabled: isVirtual,
  });
  const windowed = isVirtual ? virtualizer.getVirtualItems() : null;
  const first = windowed?.[0];
  const last = windowed?.[windowed.length - 1];
  const padTop = first ? first.start : 0;
  const padBottom = last ? Math.max(0, virtualizer.getTotalSize() - last.end) : 0;
  const shown = windowed
    ? windowed.flatMap((v) => {
        const row = modelRows[v.index];
        return row ? [{ row, index: v.index }] : [];
      })
    : modelRows.map((row, index) => ({ row, index }));
  const visibleCount = table.getVisibleLeafColumns().length;

  const dates = new Set(['createdAt', 'updatedAt', ...schema.filter((f) => f.type === 'Date').map((f) => f.key)]);
  const allIds = rows.map((r) => r._id);
  const allSelected = allIds.length > 0 && allIds.every((id) => selected.includes(id));

  const startEdit = (row: DataRow, key: string) => {
    const f = byKey.get(key);
    if (!onCellSave || !inlineEditable(f)) return;
    window.clearTimeout(clickTimer.current);
    onEditStart?.();
    setEditing({ rowId: row._id, field: key, draft: draftOf(f, row[key]) });
  };

  const commit = async (row: DataRow) => {
    if (!editing || !onCellSave) return;
    const f = byKey.get(editing.field);
    if (!f) return;
    const parsed = parseCell(f, editing.draft);
    const problem = parsed.error ?? checkValue(f, parsed.value);
    if (problem) {
      setEditing({ ...editing, error: problem });
      return;
    }
    setEditing({ ...editing, busy: true, error: undefined });
    try {
      await onCellSave(row, f, parsed.value);
      setEditing(null);
    } catch (err) {
      setEditing({ ...editing, busy: false, error: fieldErrors(err)[f.key] ?? errorMessage(err) });
    }
  };

  // A click opens the drawer after the double-click interval, so a double-click edits the cell instead.
  const clickTimer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(clickTimer.current), []);
  const onRowClick = (e: MouseEvent, row: DataRow) => {
    const target = e.target as HTMLElement;
    window.clearTimeout(clickTimer.current);
    if (e.detail > 1 || target.closest('button, a, input, select, textarea, label, .grid-editor')) return;
    const editable = Boolean(onCellSave && target.closest('td.cell-editable'));
    if (!editable) onOpen(row);
    else clickTimer.current = window.setTimeout(() => onOpen(row), 260);
  };

  const onCellKey = (e: KeyboardEvent, row: DataRow, key: string) => {
    if (e.key === 'Enter' || e.key === 'F2') {
      e.preventDefault();
      if (inlineEditable(byKey.get(key)) && onCellSave) startEdit(row, key);
      else onOpen(row);
    }
  };

  return (
    <div className="grid">
      <div className="grid-toolbar">
        <details className="grid-columns">
          <summary>Columns</summary>
          <div className="grid-columns-menu">
            {table
              .getAllLeafColumns()
              .filter((c) => c.getCanHide())
              .map((c) => (
                <label key={c.id} className="checkbox-inline">
                  <input type="checkbox" checked={c.getIsVisible()} onChange={c.getToggleVisibilityHandler()} />
                  {c.id}
                </label>
              ))}
            <button type="button" className="link-btn" onClick={() => setPrefs({ hidden: {}, sizes: {} })}>
              Reset columns
            </button>
          </div>
        </details>
      </div>
      <div className="grid-scroll" ref={scrollRef}>
        <table
          className="table data-table grid-table"
          aria-label={label}
          aria-rowcount={rows.length + 1}
          style={{ width: table.getTotalSize() }}
        >
          <thead>
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const id = h.column.id;
                  const sticky =
                    id === SELECT ? 'sticky-select' : id === '_id' ? 'sticky-id' : id === ACTIONS ? 'sticky-actions' : '';
                  const sorted = sort.field === id ? sort.dir : null;
                  return (
                    <th
                      key={h.id}
                      scope="col"
                      className={sticky}
                      style={{ width: h.getSize() }}
                      aria-sort={sorted ? (sorted === 'asc' ? 'ascending' : 'descending') : undefined}
                    >
                      {id === SELECT ? (
                        <input
                          type="checkbox"
                          aria-label="Select all rows on this page"
                          checked={allSelected}
                          onChange={() => onSelect(allSelected ? [] : allIds)}
                        />
                      ) : id === ACTIONS ? (
                        <span className="sr-only">Actions</span>
                      ) : (
                        <button
                          type="button"
                          className="grid-sort"
                          title={`Sort by ${id}`}
                          onClick={() => onSort({ field: id, dir: sorted === 'asc' ? 'desc' : 'asc' })}
                        >
                          {flexRender(h.column.columnDef.header, h.getContext())}
                          <span aria-hidden="true" className="grid-sort-mark">
                            {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                          </span>
                        </button>
                      )}
                      {h.column.getCanResize() && (
                        // biome-ignore lint/a11y/useKeyWithClickEvents: pointer-only resize handle; widths also reset from the Columns menu
                        <div
                          className={`grid-resizer ${h.column.getIsResizing() ? 'resizing' : ''}`}
                          onMouseDown={h.getResizeHandler()}
                          onTouchStart={h.getResizeHandler()}
                          onDoubleClick={() => h.column.resetSize()}
                          onClick={(e) => e.stopPropagation()}
                          aria-hidden="true"
                        />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr className="grid-spacer" style={{ height: padTop }}>
                <td colSpan={visibleCount} aria-hidden="true" />
              </tr>
            )}
            {shown.map(({ row: r, index }) => {
              const row = r.original;
              return (
                // biome-ignore lint/a11y/useKeyWithClickEvents: a row click is a shortcut; cells take Enter and the row has Edit / JSON buttons
                <tr
                  key={r.id}
                  ref={isVirtual ? virtualizer.measureElement : undefined}
                  data-index={index}
                  aria-rowindex={index + 2}
                  className={`grid-row ${r.getIsSelected() ? 'row-selected' : ''} ${rowClassName?.(row) ?? ''}`}
                  onClick={(e) => onRowClick(e, row)}
                >
                  {r.getVisibleCells().map((c) => {
                    const id = c.column.id;
                    if (id === SELECT) {
                      return (
                        <td key={c.id} className="sticky-select">
                          <input
                            type="checkbox"
                            aria-label={`Select ${row._id}`}
                            checked={r.getIsSelected()}
                            onChange={r.getToggleSelectedHandler()}
                          />
                        </td>
                      );
                    }
                    if (id === ACTIONS) {
                      return (
                        <td key={c.id} className="sticky-actions row-end nowrap">
                          {actions(row)}
                        </td>
                      );
                    }
                    const f = byKey.get(id);
                    const isEditing = editing?.rowId === row._id && editing.field === id;
                    if (isEditing && f && editing) {
                      return (
                        <EditingCell
                          key={c.id}
                          column={id}
                          rowId={row._id}
                          field={f}
                          draft={editing.draft}
                          error={editing.error}
                          busy={editing.busy}
                          onDraft={(draft) => setEditing({ ...editing, draft, error: undefined })}
                          onSave={() => void commit(row)}
                          onCancel={() => setEditing(null)}
                        />
                      );
                    }
                    const editable = Boolean(onCellSave && inlineEditable(f));
                    const text = display(row[id], dates.has(id));
                    return (
                      <td
                        key={c.id}
                        className={`${id === '_id' ? 'sticky-id mono small' : ''} ${editable ? 'cell-editable' : ''}`}
                        title={cellText(row[id])}
                        data-col={id}
                        tabIndex={editable ? 0 : undefined}
                        onDoubleClick={editable ? () => startEdit(row, id) : undefined}
                        onKeyDown={editable ? (e) => onCellKey(e, row, id) : undefined}
                      >
                        {text}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr className="grid-spacer" style={{ height: padBottom }}>
                <td colSpan={visibleCount} aria-hidden="true" />
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
