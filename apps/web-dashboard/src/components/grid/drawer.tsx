import { type ReactNode, useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';

/**
 * A side panel over the right of the page (row details). It is a dialog for assistive technology,
 * closes with Escape or its × (through `onClose`, so the caller can ask about unsaved changes),
 * and leaves the grid usable behind it.
 */
export function Drawer({ title, onClose, children }: { title: ReactNode; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    ref.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('dialog[open]:not(.drawer)')) close.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  // A portal: the panel is fixed to the viewport whatever the page's containers do.
  return createPortal(
    <dialog ref={ref} open className="drawer" aria-labelledby="drawer-title" tabIndex={-1}>
      <header className="drawer-header">
        <h2 id="drawer-title">{title}</h2>
        <button type="button" className="icon-btn" aria-label="Close details" onClick={() => onClose()}>
          ×
        </button>
      </header>
      <div className="drawer-body">{children}</div>
    </dialog>,
    document.body,
  );
}
