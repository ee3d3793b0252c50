import { badRequest } from '@urbackend/common/errors';
import { parse, scopeOf } from '@urbackend/common/http';
import { type StorageService, storageActorOf, uploadTooLarge } from '@urbackend/common/storage';
import { type Request, type RequestHandler, Router } from 'express';
import multer from 'multer';
import { deleteFileSchema, listQuerySchema, uploadConfirmSchema, uploadRequestSchema } from './storage.schemas.js';

export interface StorageRouterDeps {
  storage: StorageService;
  uploadLimitBytes: number;
  /** `[apiKey, usage, authUser]`. */
  guard: RequestHandler[];
  secretOnly: RequestHandler;
}

const body = (req: Request) => (req.body === undefined ? {} : req.body);

const ONE_FILE = "Only one file may be uploaded per request, in the field 'file'.";

/**
 * Multer/busboy errors are the client's: a size over the limit stays a 413 that names the limit,
 * more than one file or a file under another field name is a 400, and an unparsable multipart
 * body is a 400 (not a 500).
 */
function uploadError(err: unknown, limitBytes: number): unknown {
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return uploadTooLarge(limitBytes);
    if (err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_UNEXPECTED_FILE') return badRequest(ONE_FILE);
    return badRequest(`Invalid multipart body: ${err.message}.`);
  }
  return badRequest('Invalid multipart body.');
}

/** `/api/storage` routes (reference §1.5): upload, presigned upload, delete, delete all, list. */
export function createStorageRouter(deps: StorageRouterDeps): Router {
  const router = Router();
  const { storage, guard, secretOnly } = deps;
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: deps.uploadLimitBytes, files: 1, fields: 20 } });

  // Refuse (`storageActorOf`: secret key, or publishable uploads with a user token) before
  // multer buffers up to the upload limit in memory.
  const mayUpload: RequestHandler = (req, _res, next) => {
    storageActorOf(scopeOf(req));
    next();
  };

  const singleFile: RequestHandler = (req, res, next) => {
    upload.single('file')(req, res, (err?: unknown) => (err ? next(uploadError(err, deps.uploadLimitBytes)) : next()));
  };

  router.post('/upload', ...guard, mayUpload, singleFile, async (req, res) => {
    if (!req.file) throw badRequest('No file uploaded.');
    const file = { buffer: req.file.buffer, originalName: req.file.originalname, contentType: req.file.mimetype };
    res.status(201).json(await storage.upload(scopeOf(req), file));
  });
  router.post('/upload-request', ...guard, async (req, res) => {
    const input = parse(uploadRequestSchema, body(req));
    res.json(await storage.requestUpload(scopeOf(req), input));
  });
  router.post('/upload-confirm', ...guard, async (req, res) => {
    const input = parse(uploadConfirmSchema, body(req));
    res.json(await storage.confirmUpload(scopeOf(req), input));
  });
  router.delete('/file', ...guard, async (req, res) => {
    const { path } = parse(deleteFileSchema, body(req));
    res.json(await storage.deleteFile(scopeOf(req), path));
  });
  router.delete('/all', ...guard, secretOnly, async (req, res) => {
    res.json(await storage.deleteAll(scopeOf(req)));
  });
  router.get('/files', ...guard, secretOnly, async (req, res) => {
    const { page, limit } = parse(listQuerySchema, req.query);
    res.json({
      success: true,
      data: await storage.list(scopeOf(req), page, limit),
      message: 'Files fetched successfully.',
    });
  });
  return router;
}
