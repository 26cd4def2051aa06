import express, { type Router } from 'express';
import { AppError } from '@pi/service';

/** The /api router: feature routers are mounted here, then a JSON 404 for anything else. */
export function apiRouter(features: Router[]): Router {
  const router = express.Router();
  for (const feature of features) router.use(feature);
  router.use((req, _res, next) =>
    next(new AppError('not_found', `No API route ${req.method} ${req.baseUrl}${req.path}`)),
  );
  return router;
}
