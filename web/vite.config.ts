import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    // `npm run dev -w web` talks to a gateway started by `npm start`.
    proxy: { '/api': 'http://localhost:8080' },
  },
});
