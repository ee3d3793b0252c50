import { useEffect } from 'react';

export const DISCARD_MESSAGE = 'Discard your unsaved changes?';

/**
 * While `dirty`: the browser asks before the tab is closed or reloaded (`beforeunload`), and a
 * click on an in-app link asks first (the app uses a `BrowserRouter`, where react-router's
 * `useBlocker` is not available, so links are intercepted in the capture phase).
 */
export function useUnsavedChanges(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return;
    const onUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    const onClick = (e: MouseEvent) => {
      const a = (e.target as HTMLElement | null)?.closest?.('a[href]');
      if (!a || (a as HTMLAnchorElement).target === '_blank' || e.defaultPrevented) return;
      if (!window.confirm(DISCARD_MESSAGE)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener('beforeunload', onUnload);
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, [dirty]);
}

/** Runs `close` unless there are unsaved changes the user chooses to keep. */
export function confirmDiscard(dirty: boolean, close: () => void): void {
  if (!dirty || window.confirm(DISCARD_MESSAGE)) close();
}
