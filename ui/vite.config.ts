import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  // The app loads the bundle from disk (tauri.conf.json: frontendDist = ui/dist), so asset URLs
  // must be relative.
  base: './',
  // Keep cargo's output visible when Tauri runs the dev server.
  clearScreen: false,
  server: {
    // tauri.conf.json's devUrl points here; a different port would load nothing.
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK on older distributions lags behind current Safari.
    target: 'es2021',
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
