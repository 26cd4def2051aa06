import { once } from 'node:events';
import type { sendUnaryData, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import type {
  CatalogServiceServer,
  ExportProductsRequest,
  ExportProductsResponse,
  ProductFilter as FilterMessage,
} from '@pi/proto';
import { toGrpcError } from '@pi/service';
import type { ProductFilter } from '../domain/product-query.js';
import type { ProductsService } from '../services/products.service.js';

/** Adapts a promise-returning handler to grpc-js; every error is mapped in `toGrpcError`. */
function unary<Req, Res>(fn: (request: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (err) => callback(toGrpcError(err)),
    );
  };
}

const toFilter = (f: FilterMessage | undefined): ProductFilter => ({
  q: f?.q,
  sku: f?.sku,
  name: f?.name,
  description: f?.description,
  active: f?.active,
});

/** The catalog's public-facing gRPC service: thin handlers over ProductsService. */
export function catalogHandlers(products: ProductsService): CatalogServiceServer {
  return {
    listProducts: unary(async (req) => {
      const page = await products.list({
        filter: toFilter(req.filter),
        limit: req.limit,
        cursor: req.cursor,
      });
      return {
        items: page.items,
        nextCursor: page.nextCursor,
        total: page.total,
        totalCapped: page.totalCapped,
      };
    }),
    getProduct: unary(async (req) => ({ product: await products.get(req.id) })),
    createProduct: unary(async (req) => ({ product: await products.create(req) })),
    updateProduct: unary(async ({ id, ...changes }) => ({
      product: await products.update(id, changes),
    })),
    deleteProduct: unary(async (req) => {
      await products.delete(req.id);
      return {};
    }),
    deleteAllProducts: unary(async (req) => ({ deleted: await products.deleteAll(req.confirm) })),
    exportProducts: (call) => void streamExport(products, call),
  };
}

/** Writes CSV pieces as messages, waiting whenever the client falls behind. */
async function streamExport(
  products: ProductsService,
  call: ServerWritableStream<ExportProductsRequest, ExportProductsResponse>,
) {
  const csv = products.exportCsv(toFilter(call.request.filter));
  call.once('cancelled', () => csv.destroy());
  try {
    for await (const piece of csv) {
      if (!call.write({ data: piece as Buffer })) await once(call, 'drain');
    }
    call.end();
  } catch (err) {
    if (!call.cancelled) call.emit('error', toGrpcError(err));
  }
}
