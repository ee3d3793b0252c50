import { parse } from '@urbackend/common/http';
import { type MailService, mailSendSchema } from '@urbackend/common/mail-api';
import type { Plans } from '@urbackend/common/plans';
import { type RequestHandler, Router } from 'express';
import { ctxOf } from '../../context.js';

export interface MailRouterDeps {
  mail: MailService;
  plans: Plans;
  /** `[apiKey, usage]`. */
  guard: RequestHandler[];
  secretOnly: RequestHandler;
}

/** `POST /api/mail/send` (secret key; reference §1.7, `to` may be an array). */
export function createMailRouter(deps: MailRouterDeps): Router {
  const router = Router();
  router.post('/send', ...deps.guard, deps.secretOnly, async (req, res) => {
    const ctx = ctxOf(req);
    const input = parse(mailSendSchema, req.body ?? {});
    const limits = deps.plans.limitsFor(ctx.project.owner, ctx.project.customLimits);
    res.json(await deps.mail.send(ctx.projectId, input, limits));
  });
  return router;
}
