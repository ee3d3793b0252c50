import { parse, scopeOf } from '@urbackend/common/http';
import { type MailService, mailSendSchema } from '@urbackend/common/mail-api';
import { type RequestHandler, Router } from 'express';

export interface MailRouterDeps {
  mail: MailService;
  /** `[apiKey, usage]`. */
  guard: RequestHandler[];
  secretOnly: RequestHandler;
}

/** `POST /api/mail/send` (secret key; reference §1.7, `to` may be an array). */
export function createMailRouter(deps: MailRouterDeps): Router {
  const router = Router();
  router.post('/send', ...deps.guard, deps.secretOnly, async (req, res) => {
    const scope = scopeOf(req);
    const input = parse(mailSendSchema, req.body ?? {});
    res.json(await deps.mail.send(scope.project._id, input, scope.limits));
  });
  return router;
}
