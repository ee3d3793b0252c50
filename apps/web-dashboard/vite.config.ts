import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Dev server on :5173 proxying `/api` to the dashboard API (`DASHBOARD_API_URL`, default
 * http://localhost:1234). `pnpm build` writes a static site to `dist/` that any static host (or
 * the dashboard API's container) can serve, with `/api` routed to the dashboard API.
 */
export default defineConfig(() => {
  const target = process.env.DASHBOARD_API_URL ?? 'http://localhost:1234';
  return {
    plugins: [react()],
    server: { port: 5173, strictPort: true, proxy: { '/api': { target, changeOrigin: false } } },
    preview: { port: 5173, strictPort: true, proxy: { '/api': { target, changeOrigin: false } } },
    build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 1200 },
  };
});
