import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { type Model, mongo } from 'mongoose';
import type { ServerKind } from '../db/index.js';
import { AppError, badRequest, toAppError } from '../errors/index.js';
import { AGGREGATE_STAGES, splitPipeline } from '../query/index.js';
import type { TenantDoc } from '../tenant/index.js';
import { createBsonOrder } from './bson-order.js';

type Doc = Record<string, unknown>;
type Stage = Record<string, unknown>;

/** At most this many documents are streamed from the database into an in-process evaluation. */
export const LOCAL_AGGREGATE_MAX_DOCS = 10_000;
/** ...and at most this many bytes of them (BSON). */
export const LOCAL_AGGREGATE_MAX_BYTES = 32 * 1024 * 1024;
/** Heap of one evaluator process; a pipeline that needs more is refused (400), the server lives on. */
const EVALUATOR_HEAP_MB = 512;
/** Evaluations running at once per server process; more wait for a free one (within their time limit). */
const MAX_EVALUATORS = 2;

export interface AggregateRun {
  /** The collection's model (its native collection is read for the in-process part). */
  model: Model<TenantDoc>;
  /** Stages that always run first in the database (the RLS `$match`). */
  head: Stage[];
  /** The user's checked pipeline (`checkPipeline`). */
  pipeline: Stage[];
  kind: ServerKind;
  maxTimeMs: number;
}

/** The same 503 as a query over its `maxTimeMS` (MaxTimeMSExpired). */
function timedOut(): AppError {
  return toAppError(Object.assign(new Error('aggregation exceeded its time limit'), { code: 50, codeName: 'MaxTimeMSExpired' }));
}

function tooLarge(what: string): AppError {
  return badRequest(`This aggregation needs more than ${what} on this server; add a $match or $limit first.`);
}

/** Server errors that say nothing about the pipeline: left to the usual mapping (503/500). */
const SERVER_SIDE_CODES = new Set([6, 7, 13, 18, 24, 50, 89, 91, 112, 133, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/** A server's refusal of the pipeline (bad operator, bad argument) is the caller's error: 400 with its message. */
function pipelineError(err: unknown): unknown {
  const e = err as { name?: unknown; code?: unknown; message?: unknown; errorLabels?: unknown };
  if (err instanceof AppError || e?.name !== 'MongoServerError') return err;
  if (typeof e.code === 'number' && SERVER_SIDE_CODES.has(e.code)) return err;
  if (Array.isArray(e.errorLabels) && e.errorLabels.length > 0) return err;
  return badRequest(`Invalid aggregation pipeline: ${String(e.message)}`);
}

function withoutPassword(doc: Doc): Doc {
  if (doc && typeof doc === 'object' && 'password' in doc) {
    const { password: _hidden, ...rest } = doc;
    return rest;
  }
  return doc;
}

/**
 * Runs an aggregation so that its answer is MongoDB's on every server: on MongoDB entirely in the
 * database (`head`, the pipeline, then `{$project:{password:0}}`); elsewhere the prefix the server
 * answers correctly (`splitPipeline`) runs in the database and the rest with mingo in a child
 * process, fed at most `LOCAL_AGGREGATE_MAX_DOCS` documents (400 beyond), within the same time
 * limit (503 beyond). `password` is removed from every result. A pipeline the server or mingo
 * refuses is a 400.
 */
export async function runAggregation(run: AggregateRun): Promise<Doc[]> {
  const deadline = Date.now() + run.maxTimeMs;
  try {
    if (run.kind === 'mongodb') {
      const stages = [...run.head, ...run.pipeline, { $project: { password: 0 } }];
      return (await run.model.aggregate(stages as never[]).option({ maxTimeMS: run.maxTimeMs })) as Doc[];
    }
    const { server, local } = splitPipeline(run.pipeline, run.kind);
    const stages = [...run.head, ...server];
    if (stages.length === 0) stages.push({ $match: {} });
    if (local.length === 0) {
      const docs = (await run.model.aggregate(stages as never[]).option({ maxTimeMS: run.maxTimeMs })) as Doc[];
      return docs.map(withoutPassword);
    }
    const input = await collect(run.model, stages, run.maxTimeMs, deadline);
    const output = await evaluate(local, input, deadline);
    return output.map((bytes) => withoutPassword(mongo.BSON.deserialize(bytes) as Doc));
  } catch (err) {
    throw pipelineError(err);
  }
}

/** Streams the database part's result as raw BSON, refusing more than the caps. */
async function collect(model: Model<TenantDoc>, stages: Stage[], maxTimeMs: number, deadline: number): Promise<Uint8Array[]> {
  const cursor = model.collection.aggregate(stages, { maxTimeMS: maxTimeMs, raw: true });
  const docs: Uint8Array[] = [];
  let bytes = 0;
  try {
    for await (const raw of cursor as AsyncIterable<unknown>) {
      const doc = raw as Uint8Array;
      if (docs.length >= LOCAL_AGGREGATE_MAX_DOCS) throw tooLarge(`${LOCAL_AGGREGATE_MAX_DOCS} documents`);
      bytes += doc.byteLength;
      if (bytes > LOCAL_AGGREGATE_MAX_BYTES) throw tooLarge(`${LOCAL_AGGREGATE_MAX_BYTES / (1024 * 1024)} MB of documents`);
      if (Date.now() > deadline) throw timedOut();
      docs.push(doc);
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
  return docs;
}

// ---- evaluation in child processes: killable at the time limit, and one that runs out of memory dies alone ----

// The comparator's source is inlined below; a TypeScript runner (tsx, under pnpm dev) compiles it
// with esbuild's keepNames, whose __name(fn, "name") calls must resolve in the child too.
const EVALUATOR_SOURCE = `
const __name = (target) => target;
const { mingo: m, bson, stages: allowed } = JSON.parse(process.argv[1]);
const { Aggregator } = require(m.aggregator);
const { Context, evalExpr } = require(m.core);
const { unique } = require(m.util);
const { Lazy } = require(m.lazy);
const { BSON } = require(bson);

// MongoDB's $push and $addToSet skip missing values; mingo's push null for them.
function $push(coll, expr, options) {
  if (expr === null || expr === undefined) return coll;
  const Options = options && options.constructor;
  const copts = Options && typeof Options.init === 'function' ? Options.init(options) : options;
  const out = [];
  for (const root of coll) {
    const value = evalExpr(root, expr, copts && typeof copts.update === 'function' ? copts.update({ root }) : copts);
    if (value !== undefined) out.push(value);
  }
  return out;
}
const $addToSet = (coll, expr, options) => unique($push(coll, expr, options));

// MongoDB's comparison order (mingo's differs for objects, arrays in descending sorts, ObjectIds).
const { compare, sortDocs } = (${createBsonOrder.toString()})();
function extreme(direction) {
  return (coll, expr, options) => {
    let best = null;
    for (const v of $push(coll, expr, options)) {
      if (v !== null && v !== undefined && (best === null || compare(v, best) * direction > 0)) best = v;
    }
    return best;
  };
}
const $sort = (coll, spec) => coll.transform((docs) => Lazy(sortDocs(docs, spec)));

const stageOps = require(m.pipeline);
const pipelineOps = {};
for (const name of allowed) pipelineOps[name] = stageOps[name];
const context = Context.from(
  Context.init({ accumulator: { $push, $addToSet, $min: extreme(-1), $max: extreme(1) }, pipeline: { $sort } }),
  Context.init({
    accumulator: require(m.accumulator),
    expression: require(m.expression),
    pipeline: pipelineOps,
    projection: require(m.projection),
    query: require(m.query),
  }),
);

process.on('disconnect', () => process.exit(0));
process.on('message', ({ pipeline, docs }) => {
  let out;
  try {
    const input = docs.map((d) => BSON.deserialize(d));
    const result = new Aggregator(pipeline, { context, scriptEnabled: false }).run(input);
    out = result.map((d) => BSON.serialize(d, { ignoreUndefined: true }));
  } catch (err) {
    process.send({ ok: false, message: String((err && err.message) || err) });
    return;
  }
  process.send({ ok: true, docs: out });
});
`;

let evaluatorArgs: string | undefined;

/** What the evaluator requires (CommonJS paths of mingo's parts and of the driver's bson) and the allowed stages. */
function evaluatorSetup(): string {
  if (!evaluatorArgs) {
    const require = createRequire(import.meta.url);
    const mingo: Record<string, string> = {};
    for (const part of ['aggregator', 'core', 'lazy', 'util']) mingo[part] = require.resolve(`mingo/${part}`);
    for (const ops of ['accumulator', 'expression', 'pipeline', 'projection', 'query']) {
      mingo[ops] = require.resolve(`mingo/operators/${ops}`);
    }
    const mongodb = createRequire(require.resolve('mongoose')).resolve('mongodb');
    const bson = createRequire(mongodb).resolve('bson');
    evaluatorArgs = JSON.stringify({ mingo, bson, stages: [...AGGREGATE_STAGES] });
  }
  return evaluatorArgs;
}

/** An idle evaluator is kept this long for the next request, then stopped. */
const IDLE_MS = 60_000;
const idle: { child: ChildProcess; timer: NodeJS.Timeout }[] = [];
let busy = 0;
const waiting: Array<() => void> = [];

function spawnEvaluator(): ChildProcess {
  const child = spawn(process.execPath, [`--max-old-space-size=${EVALUATOR_HEAP_MB}`, '-e', EVALUATOR_SOURCE, evaluatorSetup()], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'advanced',
    env: {},
  });
  // An idle evaluator that fails (a broken channel) is simply not reused: never an uncaught 'error'.
  child.on('error', () => undefined);
  child.unref();
  child.channel?.unref();
  return child;
}

function takeEvaluator(): ChildProcess {
  for (let next = idle.pop(); next; next = idle.pop()) {
    clearTimeout(next.timer);
    if (next.child.connected && next.child.exitCode === null) return next.child;
  }
  return spawnEvaluator();
}

function putBack(child: ChildProcess): void {
  const timer = setTimeout(() => {
    const i = idle.findIndex((e) => e.child === child);
    if (i >= 0) idle.splice(i, 1);
    child.kill();
  }, IDLE_MS);
  timer.unref();
  idle.push({ child, timer });
}

async function acquire(deadline: number): Promise<void> {
  while (busy >= MAX_EVALUATORS) {
    const left = deadline - Date.now();
    if (left <= 0) throw timedOut();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, left);
      function done() {
        clearTimeout(timer);
        const i = waiting.indexOf(done);
        if (i >= 0) waiting.splice(i, 1);
        resolve();
      }
      waiting.push(done);
    });
  }
  busy++;
}

function release(): void {
  busy--;
  waiting.shift()?.();
}

type Reply = { ok: true; docs: Uint8Array[] } | { ok: false; message: string };

/**
 * Runs `pipeline` over `docs` (raw BSON) with mingo in a child process: killed at `deadline`
 * (503); one that runs out of memory is a 400; a refused pipeline is a 400 with mingo's message.
 */
async function evaluate(pipeline: Stage[], docs: Uint8Array[], deadline: number): Promise<Uint8Array[]> {
  await acquire(deadline);
  const child = takeEvaluator();
  child.channel?.ref();
  let reusable = false;
  try {
    const reply = await new Promise<Reply>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => finish(() => reject(timedOut())), Math.max(0, deadline - Date.now()));
      const onMessage = (msg: Reply) => finish(() => resolve(msg), true);
      // V8 aborts a process that runs out of heap (SIGABRT): the pipeline needs too much memory.
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        finish(() =>
          reject(
            signal === 'SIGABRT' || code === 134
              ? tooLarge(`${EVALUATOR_HEAP_MB} MB of memory`)
              : new Error(`aggregation evaluator exited (code ${code}, signal ${signal})`),
          ),
        );
      const onError = (err: Error) => finish(() => reject(err));
      function finish(settle: () => void, alive = false) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
        reusable = alive;
        settle();
      }
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.on('error', onError);
      child.send({ pipeline, docs }, (err) => {
        if (err) finish(() => reject(err));
      });
    });
    if (!reply.ok) throw badRequest(`Invalid aggregation pipeline: ${reply.message}`);
    return reply.docs;
  } finally {
    child.channel?.unref();
    if (reusable) putBack(child);
    else child.kill('SIGKILL');
    release();
  }
}
