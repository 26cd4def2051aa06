import type { Readable } from 'node:stream';
import * as Minio from 'minio';

export interface ObjectStoreConfig {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

/** S3 requires every part but the last to be at least 5 MiB. */
const PART_SIZE = 8 * 1024 * 1024;

export class ObjectTooLargeError extends Error {
  override name = 'ObjectTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`The file is larger than the limit of ${limitBytes} bytes`);
  }
}

/**
 * The bucket of uploaded CSV files. Multipart uploads are driven part by part so the same code
 * works on MinIO and on dev S3 servers that do not implement the multipart-uploads listing.
 */
export class ObjectStore {
  readonly client: Minio.Client;
  readonly bucket: string;

  constructor(config: ObjectStoreConfig) {
    const url = new URL(config.endpoint);
    const useSSL = url.protocol === 'https:';
    this.client = new Minio.Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      region: config.region,
      pathStyle: true,
    });
    this.bucket = config.bucket;
  }

  async ensureBucket(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket))) {
      await this.client.makeBucket(this.bucket).catch(async (err) => {
        // Another service may have created it in between.
        if (!(await this.client.bucketExists(this.bucket))) throw err;
      });
    }
  }

  /** Readiness probe. */
  async ping(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket))) {
      throw new Error(`bucket ${this.bucket} does not exist`);
    }
  }

  /**
   * Streams `body` into `key`, holding at most two parts in memory: the next part is read while
   * the previous one uploads, so the upload runs as fast as the slower of the two sides. Aborts
   * the upload (and throws ObjectTooLargeError) once more than `maxBytes` arrived. Returns the
   * stored size.
   */
  async putStream(
    key: string,
    body: AsyncIterable<Uint8Array> | Readable,
    options: { maxBytes?: number; onProgress?: (bytes: number) => void } = {},
  ): Promise<{ size: number }> {
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    let buffered: Buffer[] = [];
    let bufferedBytes = 0;
    let total = 0;
    let uploadId: string | undefined;
    const etags: { part: number; etag: string }[] = [];
    /** The part being uploaded; it never rejects (the error is kept in `failure`). */
    let uploading: Promise<void> = Promise.resolve();
    let failure: unknown;
    let parts = 0;

    const takeBuffered = () => {
      const payload = Buffer.concat(buffered, bufferedBytes);
      buffered = [];
      bufferedBytes = 0;
      return payload;
    };

    /** Waits for the part in flight, then starts uploading the buffered bytes as the next one. */
    const flushPart = async () => {
      await uploading;
      if (failure) throw failure;
      uploadId ??= await this.client.initiateNewMultipartUpload(this.bucket, key, {
        'Content-Type': 'text/csv',
      });
      const part = ++parts;
      const request = { bucketName: this.bucket, objectName: key, uploadID: uploadId };
      uploading = this.client
        .uploadPart({ ...request, partNumber: part, headers: {} }, takeBuffered())
        .then(({ etag }) => void etags.push({ part, etag }))
        .catch((err: unknown) => void (failure ??= err));
    };

    try {
      for await (const chunk of body) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        total += buf.length;
        if (total > maxBytes) throw new ObjectTooLargeError(maxBytes);
        buffered.push(buf);
        bufferedBytes += buf.length;
        options.onProgress?.(total);
        if (bufferedBytes >= PART_SIZE) await flushPart();
      }
      if (uploadId === undefined) {
        const payload = takeBuffered();
        await this.client.putObject(this.bucket, key, payload, payload.length, {
          'Content-Type': 'text/csv',
        });
      } else {
        if (bufferedBytes > 0) await flushPart();
        await uploading;
        if (failure) throw failure;
        await this.client.completeMultipartUpload(this.bucket, key, uploadId, etags);
      }
      return { size: total };
    } catch (err) {
      await uploading;
      if (uploadId !== undefined) {
        await this.client.abortMultipartUpload(this.bucket, key, uploadId).catch(() => undefined);
      }
      throw err;
    }
  }

  async getStream(key: string, range?: { offset: number }): Promise<Readable> {
    return range && range.offset > 0
      ? this.client.getPartialObject(this.bucket, key, range.offset)
      : this.client.getObject(this.bucket, key);
  }

  async size(key: string): Promise<number> {
    return (await this.client.statObject(this.bucket, key)).size;
  }

  async remove(key: string): Promise<void> {
    await this.client.removeObject(this.bucket, key);
  }
}
