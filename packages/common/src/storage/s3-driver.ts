import { createRequire } from 'node:module';
import type * as S3 from '@aws-sdk/client-s3';
import type * as Presigner from '@aws-sdk/s3-request-presigner';
import type { ObjectPage, StorageDriver, StoredObject } from './types.js';

/** Settings of an S3-compatible bucket (AWS, R2, MinIO, ...). */
export interface S3DriverOptions {
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Custom endpoint (R2, MinIO, s3rver); omit for AWS. */
  endpoint?: string | null;
  /** Path-style URLs (`endpoint/bucket/key`), needed by most non-AWS servers. */
  forcePathStyle?: boolean;
  /** Base URL files are publicly served from (CDN, R2 public host); null → derived from the endpoint. */
  publicUrlHost?: string | null;
}

const loadModule = <T>(name: string): T => createRequire(import.meta.url)(name) as T;
const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

/** Creates a driver over one S3-compatible bucket. */
export function createS3Driver(options: S3DriverOptions): StorageDriver {
  // Loaded on first use, not at start-up: the AWS SDK is ~25 MB of RSS that a server storing
  // files locally or on Supabase never needs.
  const s3 = loadModule<typeof S3>('@aws-sdk/client-s3');
  const presigner = loadModule<typeof Presigner>('@aws-sdk/s3-request-presigner');
  const client = new s3.S3Client({
    region: options.region || 'auto',
    endpoint: options.endpoint || undefined,
    forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    // Presigned URLs and many S3-compatible servers cannot handle the SDK's default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = options.bucket;

  function publicUrl(key: string): string | null {
    if (options.publicUrlHost) return `${options.publicUrlHost.replace(/\/$/, '')}/${encodeKey(key)}`;
    if (options.endpoint) return `${options.endpoint.replace(/\/$/, '')}/${Bucket}/${encodeKey(key)}`;
    return `https://${Bucket}.s3.${options.region}.amazonaws.com/${encodeKey(key)}`;
  }

  async function listPage(prefix: string, token?: string) {
    return client.send(new s3.ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }));
  }

  return {
    kind: 's3',
    async put(key, body, contentType) {
      await client.send(
        new s3.PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.length }),
      );
    },
    async presignPut(key, { contentType, size, expiresInSeconds }) {
      const command = new s3.PutObjectCommand({ Bucket, Key: key, ContentType: contentType, ContentLength: size });
      const signedUrl = await presigner.getSignedUrl(client, command, {
        expiresIn: expiresInSeconds,
        signableHeaders: new Set(['content-type', 'content-length']),
      });
      return { signedUrl };
    },
    async stat(key): Promise<StoredObject | null> {
      try {
        const head = await client.send(new s3.HeadObjectCommand({ Bucket, Key: key }));
        return {
          key,
          size: head.ContentLength ?? 0,
          contentType: head.ContentType ?? null,
          updatedAt: head.LastModified ?? null,
        };
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (err as Error).name === 'NotFound' || (err as Error).name === 'NoSuchKey') return null;
        throw err;
      }
    },
    async get(key) {
      try {
        const out = await client.send(new s3.GetObjectCommand({ Bucket, Key: key }));
        return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (err as Error).name === 'NotFound' || (err as Error).name === 'NoSuchKey') return null;
        throw err;
      }
    },
    async delete(key) {
      await client.send(new s3.DeleteObjectCommand({ Bucket, Key: key }));
    },
    async deletePrefix(prefix) {
      let deleted = 0;
      let token: string | undefined;
      do {
        const page = await listPage(prefix, token);
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
        if (keys.length) {
          await client.send(new s3.DeleteObjectsCommand({ Bucket, Delete: { Objects: keys, Quiet: true } }));
          deleted += keys.length;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return deleted;
    },
    async list(prefix, { limit, offset }): Promise<ObjectPage> {
      // S3 lists in key order only; offset paging walks pages (listing is a dashboard operation).
      const items: StoredObject[] = [];
      let skipped = 0;
      let token: string | undefined;
      do {
        const page = await listPage(prefix, token);
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          if (skipped < offset) {
            skipped++;
            continue;
          }
          if (items.length === limit) return { items, hasMore: true };
          items.push({ key: o.Key, size: o.Size ?? 0, contentType: null, updatedAt: o.LastModified ?? null });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return { items, hasMore: false };
    },
    publicUrl,
    async close() {
      client.destroy();
    },
  };
}
