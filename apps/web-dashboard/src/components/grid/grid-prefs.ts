import { useEffect, useState } from 'react';

/** What a developer changed in one collection's grid: hidden columns and column widths. */
export interface GridPrefs {
  hidden: Record<string, boolean>;
  sizes: Record<string, number>;
}

const EMPTY: GridPrefs = { hidden: {}, sizes: {} };

function read(key: string): GridPrefs {
  try {
    const raw = window.localStorage.getItem(key);
    if (!raw) return EMPTY;
    const parsed = JSON.parse(raw) as Partial<GridPrefs>;
    return { hidden: parsed.hidden ?? {}, sizes: parsed.sizes ?? {} };
  } catch {
    return EMPTY;
  }
}

/** Grid preferences remembered in localStorage under `key` (one key per project + collection). */
export function useGridPrefs(key: string): [GridPrefs, (next: GridPrefs) => void] {
  const [prefs, setPrefs] = useState<GridPrefs>(() => read(key));
  useEffect(() => setPrefs(read(key)), [key]);
  const save = (next: GridPrefs) => {
    setPrefs(next);
    try {
      window.localStorage.setItem(key, JSON.stringify(next));
    } catch {
      // Storage full or disabled: the preference lasts for this page only.
    }
  };
  return [prefs, save];
}
