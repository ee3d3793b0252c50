import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { AppRoutes } from './app.js';
import { AuthProvider } from './auth/auth-context.js';
import { followSystemTheme } from './components/theme.js';
import { ToastProvider } from './components/toast.js';
import { ApiError } from './lib/api-client.js';
import './styles/base.css';
import './styles/layout.css';
import './styles/controls.css';
import './styles/forms.css';
import './styles/widgets.css';
import './styles/features.css';
import './styles/pages.css';
import './styles/teams.css';
import './styles/grid.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // 4xx answers are final (the message is shown); only network/5xx problems are retried once.
      retry: (count, err) => count < 1 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
    },
  },
});

followSystemTheme();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AuthProvider>
            <ToastProvider>
              <AppRoutes />
            </ToastProvider>
          </AuthProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </StrictMode>,
  );
}
