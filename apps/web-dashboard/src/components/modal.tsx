import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../lib/api-client.js';
import { TextField } from './form.js';
import { Button, ErrorBanner } from './ui.js';

/**
 * An accessible modal on the native `<dialog>` (focus is trapped, Escape closes it).
 * Render it only while open: `{open && <Modal …/>}`. With `dismissible={false}` neither Escape
 * nor a close button closes it: the footer's own button must (a secret shown once).
 */
export function Modal({
  title,
  onClose,
  children,
  footer,
  wide = false,
  dismissible = true,
}: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  dismissible?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      mounted.current = false;
      dialog?.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={`modal ${wide ? 'modal-wide' : ''}`}
      aria-labelledby={titleId}
      onKeyDown={(e) => {
        // Escape's default action is the close request: stopping it here keeps a non-dismissible
        // dialog open without relying on `cancel` (which Chromium stops honouring on a repeat).
        if (e.key === 'Escape' && !dismissible) e.preventDefault();
      }}
      onCancel={(e) => {
        e.preventDefault();
        if (dismissible) onClose();
      }}
      onClose={() => {
        // Chromium closes a dialog on a repeated Escape even when `cancel` is prevented: reopen it.
        const dialog = ref.current;
        if (!dismissible && mounted.current && dialog && !dialog.open) dialog.showModal();
      }}
    >
      <header className="modal-header">
        <h2 id={titleId}>{title}</h2>
        {dismissible && (
          <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
            ×
          </button>
        )}
      </header>
      <div className="modal-body">{children}</div>
      {footer && <footer className="modal-footer">{footer}</footer>}
    </dialog>
  );
}

/**
 * Asks before a destructive action. With `confirmText`, the user must type it exactly
 * (used for deleting projects and collections). Shows the server's error when the action fails.
 */
export function ConfirmDialog({
  title,
  message,
  confirmLabel = 'Confirm',
  confirmText,
  danger = true,
  onConfirm,
  onClose,
}: {
  title: string;
  message: ReactNode;
  confirmLabel?: string;
  confirmText?: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const blocked = confirmText !== undefined && typed !== confirmText;
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <Modal
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant={danger ? 'danger' : 'primary'} busy={busy} disabled={blocked} onClick={() => void run()}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="stack">
        <div>{message}</div>
        {confirmText !== undefined && (
          <TextField
            label={
              <>
                Type <code>{confirmText}</code> to confirm
              </>
            }
            value={typed}
            autoComplete="off"
            onChange={(e) => setTyped(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !blocked) void run();
            }}
          />
        )}
        <ErrorBanner error={error} />
      </div>
    </Modal>
  );
}
