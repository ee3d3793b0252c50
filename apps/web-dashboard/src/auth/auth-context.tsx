import { type ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { type ApiClient, createApiClient } from '../lib/api-client.js';

/** The signed-in developer (CONTRACT §5). */
export interface Developer {
  _id: string;
  email: string;
  isVerified: boolean;
  isAdmin: boolean;
  plan: string;
}

export interface SessionResponse {
  success?: boolean;
  user: Developer;
  accessToken: string;
}

type Status = 'loading' | 'authenticated' | 'anonymous';

export interface AuthState {
  status: Status;
  user: Developer | null;
  api: ApiClient;
  /** Stores a session returned by login / verify-otp / refresh. */
  acceptSession(session: SessionResponse): void;
  /** Logs out here; with `everywhere`, revokes every session of the account on every device. */
  logout(everywhere?: boolean): Promise<void>;
  /** Forgets the session locally (after account deletion or a "log out everywhere"). */
  clear(): void;
}

const AuthContext = createContext<AuthState | null>(null);

const SIGNED_IN_KEY = 'urbackend-signed-in';
/** Set by `logout` for the login page's "You are logged out" message (read once). */
export const LOGGED_OUT_KEY = 'urbackend-logged-out';

/** Whether this browser holds a session (so a refresh cookie is worth asking for). Not a secret. */
function wasSignedIn(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_KEY) === '1';
  } catch {
    return true;
  }
}
function rememberSignedIn(on: boolean): void {
  try {
    if (on) localStorage.setItem(SIGNED_IN_KEY, '1');
    else localStorage.removeItem(SIGNED_IN_KEY);
  } catch {
    // Storage unavailable: the refresh cookie is asked for on every load, as before.
  }
}

/**
 * Holds the access token in memory only; the refresh token lives in an httpOnly cookie scoped to
 * `/api/auth`, so a page reload restores the session through `POST /api/auth/refresh-token`.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const tokenRef = useRef<string | null>(null);
  const refreshing = useRef<Promise<string | null> | null>(null);
  const [status, setStatus] = useState<Status>('loading');
  const [user, setUser] = useState<Developer | null>(null);

  const acceptSession = useCallback((session: SessionResponse) => {
    rememberSignedIn(true);
    tokenRef.current = session.accessToken;
    setUser(session.user);
    setStatus('authenticated');
  }, []);

  const clear = useCallback(() => {
    rememberSignedIn(false);
    tokenRef.current = null;
    setUser(null);
    setStatus('anonymous');
  }, []);

  const refresh = useCallback((): Promise<string | null> => {
    if (!refreshing.current) {
      refreshing.current = fetch('/api/auth/refresh-token', { method: 'POST', credentials: 'same-origin' })
        .then(async (res) => {
          if (!res.ok) return null;
          const session = (await res.json()) as SessionResponse;
          acceptSession(session);
          return session.accessToken;
        })
        .catch(() => null)
        .then((token) => {
          if (!token) clear();
          refreshing.current = null;
          return token;
        });
    }
    return refreshing.current;
  }, [acceptSession, clear]);

  const api = useMemo(() => createApiClient({ getToken: () => tokenRef.current, refresh }), [refresh]);

  useEffect(() => {
    // A browser that never signed in (or logged out) has no refresh cookie: asking would only
    // log a 401 in the console on every page load.
    if (!wasSignedIn()) setStatus('anonymous');
    else void refresh();
  }, [refresh]);

  // Logging out in one tab logs out every open tab of the dashboard.
  const channel = useRef<BroadcastChannel | null>(null);
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const ch = new BroadcastChannel('urbackend-auth');
    ch.onmessage = (e: MessageEvent) => {
      if (e.data === 'logout') clear();
    };
    channel.current = ch;
    return () => {
      channel.current = null;
      ch.close();
    };
  }, [clear]);

  const logout = useCallback(
    async (everywhere = false) => {
      try {
        await api.post(everywhere ? '/api/auth/logout-all' : '/api/auth/logout', undefined, { noRefresh: !everywhere });
      } catch {
        // The local session is dropped either way; a failed server call only leaves a cookie that expires.
      }
      channel.current?.postMessage('logout');
      try {
        sessionStorage.setItem(LOGGED_OUT_KEY, everywhere ? 'everywhere' : 'here');
      } catch {
        // Storage unavailable: no message after logout.
      }
      clear();
    },
    [api, clear],
  );

  const value = useMemo<AuthState>(
    () => ({ status, user, api, acceptSession, logout, clear }),
    [status, user, api, acceptSession, logout, clear],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

/** The auth state; throws when used outside `AuthProvider`. */
export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth must be used inside AuthProvider');
  return ctx;
}

/** The API client of the current session. */
export function useApi(): ApiClient {
  return useAuth().api;
}
