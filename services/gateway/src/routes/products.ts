import { once } from 'node:events';
import express, { type Response, type Router } from 'express';
import type { DeleteAllResultDto } from '@pi/api';
import type { CatalogServiceClient, ExportProductsRequest } from '@pi/proto';
import { AppError, call, conflict, fromGrpcError } from '@pi/service';
import {
  parseConfirm,
  parseProductInput,
  parseProductPatch,
  parseProductQuery,
  toProductDto,
  toProductFilter,
  toProductListDto,
} from '../mappers/product.js';

/** What delete-all needs to know of imports: the ones still running (progress projection). */
export interface ActiveImports {
  findActive(): Promise<{ importId: string; filename: string }[]>;
}

export interface ProductDeps {
  catalog: CatalogServiceClient;
  imports: ActiveImports;
}

/**
 * Delete-all is refused while an import is queued, parsing or importing: its remaining chunks
 * would land after the truncate and leave a partial catalogue. Cancel (or wait), then delete.
 */
export async function deleteAllProducts(deps: ProductDeps, confirm: boolean): Promise<number> {
  if (confirm) {
    const running = await deps.imports.findActive();
    if (running.length) {
      throw conflict(
        `An import is still running (${running.map((i) => i.filename || i.importId).join(', ')}); ` +
          'wait for it to finish or cancel it, then delete all products',
        { imports: running.map((i) => i.importId) },
      );
    }
  }
  const { deleted } = await call(deps.catalog, 'deleteAllProducts', { confirm });
  return deleted;
}

/** REST for products (SPEC §4), forwarded to the catalog over gRPC. */
export function productsRouter(deps: ProductDeps): Router {
  const { catalog } = deps;
  const router = express.Router();
  router.use('/products', express.json({ limit: '1mb' }));

  router.get('/products', async (req, res) => {
    const query = parseProductQuery(req.query);
    const page = await call(catalog, 'listProducts', {
      filter: toProductFilter(query),
      limit: query.limit ?? 0,
      cursor: query.cursor ?? '',
    });
    res.json(toProductListDto(page));
  });

  // Before /products/:id, which would otherwise take "export.csv" for an id.
  router.get('/products/export.csv', async (req, res) => {
    const filter = toProductFilter(parseProductQuery(req.query));
    await streamExport(catalog, { filter }, res);
  });

  router.post('/products', async (req, res) => {
    const input = parseProductInput(req.body);
    const { product } = await call(catalog, 'createProduct', {
      ...input,
      description: input.description ?? '',
    });
    res.status(201).json(toProductDto(product!));
  });

  router.get('/products/:id', async (req, res) => {
    const { product } = await call(catalog, 'getProduct', { id: req.params.id });
    res.json(toProductDto(product!));
  });

  router.patch('/products/:id', async (req, res) => {
    const patch = parseProductPatch(req.body);
    const { product } = await call(catalog, 'updateProduct', { id: req.params.id, ...patch });
    res.json(toProductDto(product!));
  });

  router.delete('/products/:id', async (req, res) => {
    await call(catalog, 'deleteProduct', { id: req.params.id });
    res.status(204).end();
  });

  router.delete('/products', async (req, res) => {
    const body: DeleteAllResultDto = {
      deleted: await deleteAllProducts(deps, parseConfirm(req.query)),
    };
    res.json(body);
  });

  return router;
}

/**
 * Relays the catalog's CSV stream, pausing the gRPC stream while the HTTP client is slow. An error
 * before the first byte is a normal JSON error; after it, the connection is cut so a truncated file
 * never looks complete.
 */
async function streamExport(
  catalog: CatalogServiceClient,
  request: ExportProductsRequest,
  res: Response,
) {
  const upstream = catalog.exportProducts(request);
  res.once('close', () => upstream.cancel());
  try {
    for await (const { data } of upstream as AsyncIterable<{ data: Uint8Array }>) {
      if (!res.headersSent) {
        res.status(200).type('text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', 'attachment; filename="products.csv"');
      }
      if (!res.write(data)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    throw err instanceof AppError ? err : fromGrpcError(err);
  }
  if (!res.headersSent) res.status(200).type('text/csv; charset=utf-8');
  res.end();
}
