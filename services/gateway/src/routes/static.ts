import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';

/** Serves the built dashboard; unknown non-API paths get index.html so client routes work on reload. */
export function serveDashboard(app: Express, webDir: string): void {
  const index = path.join(webDir, 'index.html');
  app.use(express.static(webDir, { index: 'index.html', maxAge: '1h', setHeaders: cachePolicy }));
  app.get(/^(?!\/api\/|\/api$).*/, (_req, res) => {
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send(`The dashboard is not built (${index} is missing); run npm run build.`);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}

/** SvelteKit puts a content hash in every name under _app/immutable, so those never go stale. */
const IMMUTABLE_DIR = `${path.sep}_app${path.sep}immutable${path.sep}`;

function cachePolicy(res: express.Response, file: string) {
  if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
  else if (file.includes(IMMUTABLE_DIR)) {
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  }
}
