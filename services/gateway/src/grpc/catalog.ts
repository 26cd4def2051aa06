import { once } from 'node:events';
import type { handleUnaryCall, ServiceError } from '@grpc/grpc-js';
import type { CatalogServiceServer, ExportProductsResponse } from '@pi/proto';
import { call as callBackend, fromGrpcError, toGrpcError } from '@pi/service';
import { deleteAllProducts, type ProductDeps } from '../routes/products.js';

const grpcError = (err: unknown) => toGrpcError(fromGrpcError(err)) as ServiceError;

function unary<Req, Res>(handle: (request: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    handle(call.request).then(
      (response) => callback(null, response),
      (err: unknown) => callback(grpcError(err)),
    );
  };
}

/**
 * The public CatalogService: forwarded to the catalog, except that delete-all first asks the
 * progress projection whether an import is running (as the REST route does).
 */
export function catalogService(deps: ProductDeps): CatalogServiceServer {
  const { catalog } = deps;
  return {
    listProducts: unary((r) => callBackend(catalog, 'listProducts', r)),
    getProduct: unary((r) => callBackend(catalog, 'getProduct', r)),
    createProduct: unary((r) => callBackend(catalog, 'createProduct', r)),
    updateProduct: unary((r) => callBackend(catalog, 'updateProduct', r)),
    deleteProduct: unary((r) => callBackend(catalog, 'deleteProduct', r)),
    deleteAllProducts: unary(async (r) => ({ deleted: await deleteAllProducts(deps, r.confirm) })),
    exportProducts: (call) => {
      const upstream = catalog.exportProducts(call.request);
      call.on('cancelled', () => upstream.cancel());
      void (async () => {
        for await (const message of upstream as AsyncIterable<ExportProductsResponse>) {
          if (!call.write(message)) await once(call, 'drain');
        }
        call.end();
      })().catch((err: unknown) => {
        if (!call.cancelled) call.emit('error', grpcError(err));
      });
    },
  };
}
