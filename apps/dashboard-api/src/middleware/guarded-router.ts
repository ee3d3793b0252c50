import { type RequestHandler, Router, type RouterOptions } from 'express';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Route = (path: string, ...handlers: RequestHandler[]) => void;

/**
 * A router whose every route runs `guards` first (e.g. `requireDeveloper`). Guards sit on the
 * routes, not on the mount path, so an unknown path still answers 404 before any auth check.
 */
export function guardedRouter(guards: RequestHandler[], options?: RouterOptions): Record<Method, Route> & { router: Router } {
  const router = Router(options);
  const wrap =
    (method: Method): Route =>
    (path, ...handlers) => {
      router[method](path, ...guards, ...handlers);
    };
  return { router, get: wrap('get'), post: wrap('post'), put: wrap('put'), patch: wrap('patch'), delete: wrap('delete') };
}
