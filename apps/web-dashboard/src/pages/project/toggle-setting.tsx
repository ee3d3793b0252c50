import { type ReactNode, useEffect, useState } from 'react';
import { Checkbox } from '../../components/form.js';

/**
 * A checkbox that saves on change: it flips at once (optimistic), and flips back when the save
 * fails (the caller shows the server's error).
 */
export function ToggleSetting({
  label,
  hint,
  value,
  busy,
  onToggle,
}: { label: ReactNode; hint?: ReactNode; value: boolean; busy: boolean; onToggle: (next: boolean) => Promise<boolean> }) {
  const [shown, setShown] = useState(value);
  useEffect(() => setShown(value), [value]);
  return (
    <Checkbox
      label={label}
      hint={hint}
      checked={shown}
      disabled={busy}
      onChange={(e) => {
        const next = e.target.checked;
        setShown(next);
        void onToggle(next).then((ok) => {
          if (!ok) setShown(!next);
        });
      }}
    />
  );
}
