import { type ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { readableError } from './ui.js';

interface Toast {
  id: number;
  text: string;
  kind: 'success' | 'error';
}

const ToastContext = createContext<((text: string, kind?: Toast['kind']) => void) | null>(null);

/** Short confirmations ("Saved") in a polite live region. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback((text: string, kind: Toast['kind'] = 'success') => {
    const id = Date.now() + Math.random();
    setToasts((t) => [...t, { id, text: kind === 'error' ? readableError(text) : text, kind }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 4000);
  }, []);
  const value = useMemo(() => push, [push]);
  const ref = useRef<HTMLDivElement>(null);
  // The toasts live in the top layer (a manual popover), re-shown on each change so they sit
  // above any open <dialog> and its backdrop instead of dimmed beneath it.
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof el.showPopover !== 'function') return;
    try {
      if (el.matches(':popover-open')) el.hidePopover();
      if (toasts.length > 0) el.showPopover();
    } catch {
      // Popover unsupported: the fixed-position fallback still shows the toasts.
    }
  }, [toasts]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div ref={ref} className="toasts" aria-live="polite" popover="manual">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
            {t.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  const ctx = useContext(ToastContext);
  if (!ctx) throw new Error('useToast must be used inside ToastProvider');
  return ctx;
}
