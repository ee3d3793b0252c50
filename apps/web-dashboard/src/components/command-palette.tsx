import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { CreateProjectModal } from '../pages/create-project.js';
import { type CommandItem, filterCommands, useCommandItems } from './command-items.js';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
/** The shortcut as shown to the user. */
export const PALETTE_SHORTCUT = isMac ? '⌘K' : 'Ctrl+K';

/** Groups in the order of their best match, each keeping its items' order. */
function grouped(items: CommandItem[]): [string, CommandItem[]][] {
  const groups = new Map<string, CommandItem[]>();
  for (const item of items) groups.set(item.group, [...(groups.get(item.group) ?? []), item]);
  return [...groups];
}

/**
 * The palette itself: a modal `<dialog>` holding a combobox (the search box) that drives a
 * listbox through `aria-activedescendant`, so focus stays in the box while arrows move the
 * highlight. Enter runs the highlighted entry, Escape closes. Render only while open.
 */
function PaletteDialog({ onClose, onNewProject }: { onClose: () => void; onNewProject: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const base = useId();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const all = useCommandItems({ onNewProject });
  const matches = useMemo(() => filterCommands(all, query), [all, query]);
  const groups = grouped(matches);
  const ordered = groups.flatMap(([, items]) => items);
  const index = Math.min(active, Math.max(ordered.length - 1, 0));
  const current = ordered[index];
  const optionId = (item: CommandItem) => `${base}-${item.id}`;

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  useEffect(() => {
    if (!current) return;
    document.getElementById(optionId(current))?.scrollIntoView({ block: 'nearest' });
  });

  const run = (item: CommandItem | undefined) => {
    if (!item || item.disabled) return;
    onClose();
    item.run();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const last = ordered.length - 1;
    const moves: Record<string, number> = { ArrowDown: index >= last ? 0 : index + 1, ArrowUp: index <= 0 ? last : index - 1 };
    if (e.key in moves) setActive(moves[e.key] ?? 0);
    else if (e.key === 'Home' && e.ctrlKey) setActive(0);
    else if (e.key === 'End' && e.ctrlKey) setActive(last);
    else if (e.key === 'Enter') run(current);
    else return;
    e.preventDefault();
  };

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the backdrop click mirrors Escape (the dialog's cancel event)
    <dialog
      ref={ref}
      className="palette"
      aria-modal="true"
      aria-label="Command palette"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose(); // a click on the backdrop
      }}
    >
      <div className="palette-search">
        <span aria-hidden="true">⌕</span>
        <input
          className="palette-input"
          role="combobox"
          aria-label="Search pages, collections, projects and actions"
          aria-expanded="true"
          aria-controls={`${base}-list`}
          aria-autocomplete="list"
          aria-activedescendant={current ? optionId(current) : undefined}
          placeholder="Search pages, collections, projects, actions…"
          value={query}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
        <kbd>Esc</kbd>
      </div>
      {/* The ARIA combobox pattern: focus stays in the search box, which points at the active option. */}
      {/* biome-ignore lint/a11y/useSemanticElements: a <select> cannot be driven by a separate search box */}
      {/* biome-ignore lint/a11y/useFocusableInteractive: the combobox keeps focus (aria-activedescendant) */}
      <div id={`${base}-list`} role="listbox" aria-label="Results" className="palette-list">
        {groups.map(([group, items]) => (
          // biome-ignore lint/a11y/useSemanticElements: ARIA groups of options inside the listbox (a fieldset is not allowed there)
          <div key={group} role="group" aria-labelledby={`${base}-g-${group}`}>
            <div id={`${base}-g-${group}`} role="presentation" className="palette-group">
              {group}
            </div>
            {items.map((item) => (
              // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled by the combobox (aria-activedescendant)
              <div
                key={item.id}
                id={optionId(item)}
                // biome-ignore lint/a11y/useSemanticElements: an <option> outside a <select> is not rendered
                role="option"
                aria-selected={item === current}
                aria-disabled={item.disabled ? true : undefined}
                tabIndex={-1}
                className="palette-option"
                onMouseMove={() => setActive(ordered.indexOf(item))}
                onClick={() => run(item)}
              >
                <span className="palette-label">{item.label}</span>
                <span className="palette-hint">{item.disabled ?? item.hint}</span>
              </div>
            ))}
          </div>
        ))}
        {ordered.length === 0 && <p className="palette-empty muted">Nothing matches “{query}”.</p>}
      </div>
      <p className="palette-footer muted small" aria-hidden="true">
        <kbd>↑</kbd> <kbd>↓</kbd> to move · <kbd>Enter</kbd> to open · <kbd>Esc</kbd> to close
      </p>
    </dialog>
  );
}

/**
 * The navbar's "Search" button and the Ctrl/Cmd+K shortcut, with the palette and the
 * "New project" dialog it can open.
 */
export function CommandPalette() {
  const [open, setOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key.toLowerCase() !== 'k' || !(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      // Another dialog is up (a form, a confirmation): leave it alone.
      if (!open && document.querySelector('dialog[open]')) return;
      e.preventDefault();
      setOpen((o) => !o);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  return (
    <>
      <button
        type="button"
        className="btn btn-small palette-button"
        aria-haspopup="dialog"
        aria-keyshortcuts="Control+K Meta+K"
        title={`Search pages, collections, projects and actions (${PALETTE_SHORTCUT})`}
        onClick={() => setOpen(true)}
      >
        <span aria-hidden="true">⌕</span>
        <span className="palette-button-label">Search</span>
        <kbd>{PALETTE_SHORTCUT}</kbd>
      </button>
      {open && <PaletteDialog onClose={() => setOpen(false)} onNewProject={() => setCreating(true)} />}
      {creating && <CreateProjectModal onClose={() => setCreating(false)} />}
    </>
  );
}
