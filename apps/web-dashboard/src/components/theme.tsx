import { useCallback, useSyncExternalStore } from 'react';

/**
 * The colour theme: "system" follows `prefers-color-scheme`, "light" and "dark" force one. The
 * setting lives in localStorage under THEME_KEY; the theme shown is always `<html data-theme="…">`
 * ("system" resolved here, and again when the system changes). index.html applies it before the
 * first paint with the same key, so a reload never flashes the other theme.
 */
export type ThemeSetting = 'system' | 'light' | 'dark';
export type ResolvedTheme = 'light' | 'dark';

/** Keep in step with the inline script in index.html. */
export const THEME_KEY = 'urbackend-theme';
const CHANGE_EVENT = 'urbackend-theme-change';
const DARK_QUERY = '(prefers-color-scheme: dark)';

export const THEME_OPTIONS: { value: ThemeSetting; label: string; icon: string }[] = [
  { value: 'system', label: 'System', icon: '◐' },
  { value: 'light', label: 'Light', icon: '☀' },
  { value: 'dark', label: 'Dark', icon: '☾' },
];

function readSetting(): ThemeSetting {
  try {
    const stored = localStorage.getItem(THEME_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system'; // storage blocked: follow the system
  }
}

function systemIsDark(): boolean {
  return window.matchMedia(DARK_QUERY).matches;
}

function applySetting(setting: ThemeSetting): void {
  document.documentElement.dataset.theme = setting === 'system' ? (systemIsDark() ? 'dark' : 'light') : setting;
}

/** Keeps `data-theme` on the system's theme while the setting is "system" (call once at start). */
export function followSystemTheme(): void {
  window.matchMedia(DARK_QUERY).addEventListener('change', () => applySetting(readSetting()));
}

/** Changes the theme in this tab (and, through the storage event, in the others). */
export function setThemeSetting(setting: ThemeSetting): void {
  try {
    if (setting === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, setting);
  } catch {
    // Storage blocked: the theme still changes for this page view.
  }
  applySetting(setting);
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

function subscribe(onChange: () => void): () => void {
  const media = window.matchMedia(DARK_QUERY);
  const onStorage = (e: StorageEvent) => {
    if (e.key !== THEME_KEY && e.key !== null) return;
    applySetting(readSetting());
    onChange();
  };
  window.addEventListener(CHANGE_EVENT, onChange);
  window.addEventListener('storage', onStorage);
  media.addEventListener('change', onChange);
  return () => {
    window.removeEventListener(CHANGE_EVENT, onChange);
    window.removeEventListener('storage', onStorage);
    media.removeEventListener('change', onChange);
  };
}

const snapshot = () => `${readSetting()}:${systemIsDark() ? 'dark' : 'light'}`;

/** The stored setting and the theme actually shown (the system's when the setting is "system"). */
export function useTheme(): { setting: ThemeSetting; resolved: ResolvedTheme; setSetting: (s: ThemeSetting) => void } {
  const value = useSyncExternalStore(subscribe, snapshot, () => 'system:light');
  const [setting, system] = value.split(':') as [ThemeSetting, ResolvedTheme];
  const setSetting = useCallback((s: ThemeSetting) => setThemeSetting(s), []);
  return { setting, resolved: setting === 'system' ? system : setting, setSetting };
}

/** Three-way System / Light / Dark switch for the navbar (radio buttons, one tab stop). */
export function ThemeToggle() {
  const { setting, setSetting } = useTheme();
  return (
    <fieldset className="theme-toggle">
      <legend className="sr-only">Theme</legend>
      {THEME_OPTIONS.map((o) => (
        <label key={o.value} title={`${o.label} theme`} className={setting === o.value ? 'selected' : undefined}>
          <input
            type="radio"
            name="urbackend-theme"
            value={o.value}
            checked={setting === o.value}
            onChange={() => setSetting(o.value)}
            aria-label={o.label}
          />
          <span aria-hidden="true">{o.icon}</span>
        </label>
      ))}
    </fieldset>
  );
}
