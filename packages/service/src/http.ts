import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger } from 'pino';
import { AppError, errorBody, httpStatusOf } from './errors.js';
import type { Metrics } from './metrics.js';

export type ReadinessChecks = Record<string, () => Promise<unknown>>;

export interface CheckResult {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string; detail?: unknown }>;
}

/** Runs every readiness check at once, each bounded by a timeout. */
export async function runChecks(checks: ReadinessChecks, timeoutMs = 2000): Promise<CheckResult> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const detail = await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${timeoutMs} ms`)),
              timeoutMs,
            );
          }),
        ]);
        return [name, { ok: true, ...(detail === undefined ? {} : { detail }) }] as const;
      } catch (err) {
        return [name, { ok: false, error: (err as Error).message ?? String(err) }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ok: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
}

/** Express app with /healthz, /readyz, /metrics and request timing; routes are added by the service. */
export function createHttpApp(options: {
  metrics: Metrics;
  readiness: ReadinessChecks;
  isShuttingDown: () => boolean;
}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use((req, res, next) => {
    const end = options.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = req.route?.path
        ? `${req.baseUrl}${req.route.path}`
        : req.baseUrl || 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (options.isShuttingDown()) {
      res.status(503).json({ status: 'shutting_down', checks: {} });
      return;
    }
    const result = await runChecks(options.readiness);
    res
      .status(result.ok ? 200 : 503)
      .json({ status: result.ok ? 'ready' : 'not_ready', checks: result.checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  return app;
}

/** Final error middleware: AppErrors keep their status, anything else is a logged 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const bodyError = err as { type?: string; status?: number };
    let app: AppError;
    if (err instanceof AppError) app = err;
    else if (bodyError?.type === 'entity.parse.failed')
      app = new AppError('invalid_argument', 'Malformed JSON body');
    else if (bodyError?.type === 'entity.too.large')
      app = new AppError('too_large', 'Request body is too large');
    else {
      logger.error({ err }, 'unhandled error');
      app = new AppError('internal', 'Internal error');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(httpStatusOf(app)).json(errorBody(app));
  };
}
