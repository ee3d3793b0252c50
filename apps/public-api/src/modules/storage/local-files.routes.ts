import { notFound } from '@urbackend/common/errors';
import {
  LOCAL_FILES_PATH,
  LOCAL_UPLOAD_PATH,
  type LocalStorageDriver,
  type StorageService,
  isActiveContent,
  resolveObjectKey,
} from '@urbackend/common/storage';
import { type RequestHandler, Router } from 'express';

/**
 * Routes of the `local` storage driver, mounted before the JSON body parser (they need the raw
 * body): `PUT /api/storage/local-upload?…` receives presigned uploads (HMAC-checked, exact size,
 * once, only for a pending upload), `GET /api/storage/files/<key>` serves confirmed files publicly
 * with a safe type: `nosniff`, a sandboxing CSP, and `attachment` for anything a browser could
 * execute (HTML, SVG, XML, JS, PDF). Unconfirmed uploads are never served.
 */
export function createLocalFilesRouter(local: LocalStorageDriver, storage: StorageService): RequestHandler {
  const router = Router();
  router.put(LOCAL_UPLOAD_PATH, async (req, res) => {
    const stored = await storage.acceptLocalUpload(req.query as Record<string, unknown>, req);
    res.json({ Key: stored.key, size: stored.size });
  });
  router.get(`${LOCAL_FILES_PATH}/*key`, async (req, res) => {
    const segments = (req.params as { key?: string[] }).key ?? [];
    const raw = segments.join('/');
    let key: string;
    try {
      key = resolveObjectKey(segments[0] ?? '', raw);
    } catch {
      throw notFound('File not found.');
    }
    const content = (await storage.isStored(key)) ? await local.read(key) : null;
    if (!content) throw notFound('File not found.');
    const name = (key.split('/').pop() ?? 'file').replace(/^[0-9a-f-]{36}_/, '');
    const disposition = isActiveContent(content.contentType) ? 'attachment' : 'inline';
    res.set({
      'Content-Type': content.contentType,
      'Content-Length': String(content.size),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Content-Disposition': `${disposition}; filename="${name.replace(/["\\]/g, '_')}"`,
      'Cache-Control': 'public, max-age=300',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    content.stream.pipe(res);
  });
  return router;
}
