import { badRequest, forbidden, unauthenticated } from '@urbackend/common/errors';
import { parse } from '@urbackend/common/http';
import type { Plans } from '@urbackend/common/plans';
import type { StorageActor, StorageService } from '@urbackend/common/storage';
import { type Request, type RequestHandler, Router } from 'express';
import multer from 'multer';
import { ctxOf } from '../../context.js';
import { deleteFileSchema, listQuerySchema, uploadConfirmSchema, uploadRequestSchema } from './storage.schemas.js';

export interface StorageRouterDeps {
  storage: StorageService;
  plans: Plans;
  uploadLimitBytes: number;
  /** `[apiKey, usage, authUser]`. */
  guard: RequestHandler[];
  secretOnly: RequestHandler;
}

const SECRET_REQUIRED = 'Forbidden. This action requires a Secret Key (sk_live_...).';

/**
 * Who may touch files: a secret key always; a publishable key only when the project allows
 * client uploads (CONTRACT §3.11) and with a valid end-user token, confined to that user's folder.
 */
function actorOf(req: Request, plans: Plans): StorageActor {
  const ctx = ctxOf(req);
  const quotaBytes = plans.limitsFor(ctx.project.owner, ctx.project.customLimits).storageBytes;
  if (ctx.keyRole === 'secret') return { quotaBytes };
  if (!ctx.project.allowPublishableUploads) throw forbidden(SECRET_REQUIRED);
  if (!ctx.authUser) throw unauthenticated('A user token (Authorization: Bearer) is required to upload with a publishable key.');
  return { userId: ctx.authUser.userId, quotaBytes };
}

const body = (req: Request) => (req.body === undefined ? {} : req.body);

const ONE_FILE = "Only one file may be uploaded per request, in the field 'file'.";

/**
 * Multer/busboy errors are the client's: a size over the limit stays a 413 (mapped by the error
 * middleware), more than one file or a file under another field name is a 400, and an
 * unparsable multipart body is a 400 (not a 500).
 */
function uploadError(err: unknown): unknown {
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return err;
    if (err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_UNEXPECTED_FILE') return badRequest(ONE_FILE);
    return badRequest(`Invalid multipart body: ${err.message}.`);
  }
  return badRequest('Invalid multipart body.');
}

/** `/api/storage` routes (reference §1.5): upload, presigned upload, delete, delete all, list. */
export function createStorageRouter(deps: StorageRouterDeps): Router {
  const router = Router();
  const { storage, plans, guard, secretOnly } = deps;
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: deps.uploadLimitBytes, files: 1, fields: 20 } });

  // Refuse before multer buffers up to the upload limit in memory.
  const mayUpload: RequestHandler = (req, _res, next) => {
    actorOf(req, plans);
    next();
  };

  const singleFile: RequestHandler = (req, res, next) => {
    upload.single('file')(req, res, (err?: unknown) => (err ? next(uploadError(err)) : next()));
  };

  router.post('/upload', ...guard, mayUpload, singleFile, async (req, res) => {
    if (!req.file) throw badRequest('No file uploaded.');
    const file = { buffer: req.file.buffer, originalName: req.file.originalname, contentType: req.file.mimetype };
    res.status(201).json(await storage.upload(ctxOf(req).project, file, actorOf(req, plans)));
  });
  router.post('/upload-request', ...guard, async (req, res) => {
    const input = parse(uploadRequestSchema, body(req));
    res.json(await storage.requestUpload(ctxOf(req).project, input, actorOf(req, plans)));
  });
  router.post('/upload-confirm', ...guard, async (req, res) => {
    const input = parse(uploadConfirmSchema, body(req));
    res.json(await storage.confirmUpload(ctxOf(req).project, input, actorOf(req, plans)));
  });
  router.delete('/file', ...guard, async (req, res) => {
    const { path } = parse(deleteFileSchema, body(req));
    res.json(await storage.deleteFile(ctxOf(req).project, path, actorOf(req, plans)));
  });
  router.delete('/all', ...guard, secretOnly, async (req, res) => {
    res.json(await storage.deleteAll(ctxOf(req).project));
  });
  router.get('/files', ...guard, secretOnly, async (req, res) => {
    const { page, limit } = parse(listQuerySchema, req.query);
    res.json({
      success: true,
      data: await storage.list(ctxOf(req).project, page, limit),
      message: 'Files fetched successfully.',
    });
  });
  return router;
}
