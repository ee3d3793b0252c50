import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldDef } from '../models/index.js';
import { type Platform, createPlatform } from '../platform/index.js';
import { checkPipeline } from '../query/index.js';
import { type Actor, type ProjectScope, type ScopedProject, toScopedProject } from '../scope/index.js';
import { type TestPlatform, type TestProject, createTestPlatform, createTestProject, testBaseConfig } from '../testing/index.js';
import { LOCAL_AGGREGATE_MAX_DOCS, runAggregation } from './aggregate.js';
import { dataCollection } from './collection.js';

/**
 * Every accumulator and every allowed stage against answers worked out by hand (MongoDB's), on
 * whatever server the tests run on, and again with the in-process path forced (kind `unknown`),
 * so that both paths are checked on MongoDB and on FerretDB alike.
 */

let tp: TestPlatform;
let platform: Platform;
let project: TestProject;
const secretKey: Actor = { type: 'key', key: 'secret', keyHash: '', user: null };

const items: FieldDef[] = [
  { key: 'name', type: 'String' },
  { key: 'cat', type: 'String' },
  { key: 'price', type: 'Number' },
  { key: 'qty', type: 'Number' },
  { key: 'tags', type: 'Array', items: { type: 'String' } },
  { key: 'at', type: 'Date' },
  { key: 'meta', type: 'Object', fields: [{ key: 'w', type: 'Number' }] },
];

const day = (n: number) => new Date(Date.UTC(2024, 0, n));
const dataset = [
  { name: 'a', cat: 'x', price: 10, qty: 1, tags: ['red', 'blue'], at: day(1).toISOString(), meta: { w: 1 } },
  { name: 'b', cat: 'x', price: 20, qty: 2, tags: ['red'], at: day(2).toISOString(), meta: { w: 2 } },
  { name: 'c', cat: 'y', price: 30, qty: 3, tags: [], at: day(3).toISOString(), meta: { w: 3 } },
  { name: 'd', cat: 'y', price: 5, qty: 4, tags: ['green', 'red'], at: day(4).toISOString() },
  { name: 'e', cat: 'z', price: 15, at: day(5).toISOString(), password: 'not-for-your-eyes' },
];

async function scoped(): Promise<ScopedProject> {
  const doc = await platform.models.Project.findById(project.projectId).lean();
  const owner = await platform.models.Developer.findById(doc?.owner).lean();
  if (!doc || !owner) throw new Error('test project missing');
  return toScopedProject(doc as unknown as Record<string, unknown>, owner);
}

let scope: ProjectScope;

beforeAll(async () => {
  tp = await createTestPlatform('data-aggregate');
  platform = createPlatform(testBaseConfig(tp), tp.logger, { db: tp.db, cache: tp.cache });
  project = await createTestProject(tp.db, platform.secretBox, {
    collections: [
      { name: 'items', model: items },
      { name: 'big', model: [{ key: 'v', type: 'Number' }] },
    ],
  });
  scope = platform.scopeFor(await scoped(), secretKey);
  for (const doc of dataset) await platform.data.writes.insert(scope, 'items', doc);
  const conn = await platform.tenants.forProject(await scoped()).connection();
  await conn
    .collection('big')
    .insertMany(Array.from({ length: LOCAL_AGGREGATE_MAX_DOCS + 1 }, (_, v) => ({ v, createdAt: new Date() })));
});
afterAll(async () => {
  await platform.close();
  await tp.cleanup();
});

type Row = Record<string, unknown>;

async function viaService(pipeline: Row[], collection = 'items'): Promise<Row[]> {
  const res = (await platform.data.reads.aggregate(scope, collection, { pipeline })) as { data: Row[] };
  return res.data;
}

/** The same pipeline with the in-process path forced for everything after the prefix FerretDB answers right. */
async function viaLocalPath(pipeline: Row[], collection = 'items', maxTimeMs = 5000): Promise<Row[]> {
  const model = await scope.tenant.model(dataCollection(scope, collection));
  return runAggregation({ model, head: [], pipeline: checkPipeline(pipeline), kind: 'unknown', maxTimeMs });
}

/** `$addToSet` order is unspecified (on MongoDB too): compare sets sorted. */
function sortSets(rows: Row[], fields: string[]): Row[] {
  return rows.map((r) => {
    const out = { ...r };
    for (const f of fields) if (Array.isArray(out[f])) out[f] = [...(out[f] as unknown[])].sort();
    return out;
  });
}

const byCat = (acc: Row) => [{ $sort: { name: 1 } }, { $group: { _id: '$cat', v: acc } }, { $sort: { _id: 1 } }];
const perCat = (x: unknown, y: unknown, z: unknown) => [
  { _id: 'x', v: x },
  { _id: 'y', v: y },
  { _id: 'z', v: z },
];

const accumulatorCases: [string, Row[], Row[]][] = [
  ['$sum of a field', byCat({ $sum: '$price' }), perCat(30, 35, 15)],
  ['$sum of a constant', byCat({ $sum: 1 }), perCat(2, 2, 1)],
  ['$sum of an expression', byCat({ $sum: { $multiply: ['$price', 2] } }), perCat(60, 70, 30)],
  ['$avg', byCat({ $avg: '$price' }), perCat(15, 17.5, 15)],
  ['$avg of a field some lack (null when none has it)', byCat({ $avg: '$qty' }), perCat(1.5, 3.5, null)],
  ['$min', byCat({ $min: '$price' }), perCat(10, 5, 15)],
  ['$min when every value is missing', byCat({ $min: '$qty' }), perCat(1, 3, null)],
  ['$max', byCat({ $max: '$price' }), perCat(20, 30, 15)],
  ['$max of dates', byCat({ $max: '$at' }), perCat(day(2), day(4), day(5))],
  ['$first', byCat({ $first: '$name' }), perCat('a', 'c', 'e')],
  ['$first of a missing field is null', byCat({ $first: '$qty' }), perCat(1, 3, null)],
  ['$last', byCat({ $last: '$name' }), perCat('b', 'd', 'e')],
  ['$push', byCat({ $push: '$name' }), perCat(['a', 'b'], ['c', 'd'], ['e'])],
  ['$push skips missing values', byCat({ $push: '$qty' }), perCat([1, 2], [3, 4], [])],
  ['$count', byCat({ $count: {} }), perCat(2, 2, 1)],
];

const everyAccumulatorAtOnce: Row[] = [
  { $sort: { name: 1 } },
  {
    $group: {
      _id: null,
      total: { $sum: '$price' },
      n: { $sum: 1 },
      avg: { $avg: '$price' },
      min: { $min: '$price' },
      max: { $max: '$price' },
      first: { $first: '$name' },
      last: { $last: '$name' },
      names: { $push: '$name' },
      cats: { $addToSet: '$cat' },
      count: { $count: {} },
    },
  },
];
const everyAccumulatorAnswer = {
  _id: null,
  total: 80,
  n: 5,
  avg: 16,
  min: 5,
  max: 30,
  first: 'a',
  last: 'e',
  names: ['a', 'b', 'c', 'd', 'e'],
  cats: ['x', 'y', 'z'],
  count: 5,
};

const names = { $project: { _id: 0, name: 1 } };
const stageCases: [string, Row[], Row[]][] = [
  [
    '$match',
    [{ $match: { price: { $gte: 10 } } }, { $sort: { name: 1 } }, names],
    ['a', 'b', 'c', 'e'].map((name) => ({ name })),
  ],
  ['$match with $expr', [{ $match: { $expr: { $lt: ['$price', { $multiply: ['$qty', 8] }] } } }, names], [{ name: 'd' }]],
  [
    '$match with $elemMatch',
    [{ $match: { tags: { $elemMatch: { $in: ['blue', 'green'] } } } }, { $sort: { name: 1 } }, names],
    [{ name: 'a' }, { name: 'd' }],
  ],
  ['$sort descending', [{ $sort: { price: -1 } }, names], ['c', 'b', 'e', 'a', 'd'].map((name) => ({ name }))],
  [
    '$sort puts a missing field first',
    [{ $sort: { qty: 1, name: 1 } }, names],
    ['e', 'a', 'b', 'c', 'd'].map((name) => ({ name })),
  ],
  [
    '$sort of arrays ascending (smallest element; [] first)',
    [{ $sort: { tags: 1, name: 1 } }, names],
    ['c', 'e', 'a', 'd', 'b'].map((name) => ({ name })),
  ],
  [
    '$sort of arrays descending (largest element)',
    [{ $sort: { tags: -1, name: 1 } }, names],
    ['a', 'b', 'd', 'e', 'c'].map((name) => ({ name })),
  ],
  [
    '$sort on a whole compound key (field order, then types)',
    [{ $group: { _id: { w: '$meta.w', c: '$cat' }, n: { $sum: 1 } } }, { $sort: { _id: -1 } }],
    [
      { _id: { c: 'z' }, n: 1 },
      { _id: { c: 'y' }, n: 1 },
      { _id: { w: 3, c: 'y' }, n: 1 },
      { _id: { w: 2, c: 'x' }, n: 1 },
      { _id: { w: 1, c: 'x' }, n: 1 },
    ],
  ],
  ['$limit', [{ $sort: { name: 1 } }, { $limit: 2 }, names], [{ name: 'a' }, { name: 'b' }]],
  ['$skip', [{ $sort: { name: 1 } }, { $skip: 3 }, names], [{ name: 'd' }, { name: 'e' }]],
  [
    '$project with expressions and paths',
    [{ $sort: { name: 1 } }, { $project: { _id: 0, name: 1, total: { $multiply: ['$price', '$qty'] }, w: '$meta.w' } }],
    [
      { name: 'a', total: 10, w: 1 },
      { name: 'b', total: 40, w: 2 },
      { name: 'c', total: 90, w: 3 },
      { name: 'd', total: 20 },
      { name: 'e', total: null },
    ],
  ],
  [
    '$project exclusion',
    [{ $match: { name: 'a' } }, { $project: { _id: 0, tags: 0, at: 0, meta: 0, createdAt: 0, updatedAt: 0, __v: 0 } }],
    [{ name: 'a', cat: 'x', price: 10, qty: 1 }],
  ],
  ['$count', [{ $match: { cat: 'x' } }, { $count: 'n' }], [{ n: 2 }]],
  ['$count of nothing', [{ $match: { cat: 'nope' } }, { $count: 'n' }], []],
  ['$project after $count', [{ $count: 'n' }, { $project: { n: 1 } }], [{ n: 5 }]],
  [
    '$unwind',
    [{ $unwind: '$tags' }, { $sort: { name: 1, tags: 1 } }, { $project: { _id: 0, name: 1, tags: 1 } }],
    [
      { name: 'a', tags: 'blue' },
      { name: 'a', tags: 'red' },
      { name: 'b', tags: 'red' },
      { name: 'd', tags: 'green' },
      { name: 'd', tags: 'red' },
    ],
  ],
  [
    '$unwind keeping empty and missing arrays, with the index',
    [
      { $unwind: { path: '$tags', includeArrayIndex: 'i', preserveNullAndEmptyArrays: true } },
      { $sort: { name: 1, i: 1 } },
      { $project: { _id: 0, name: 1, tags: 1, i: 1 } },
    ],
    [
      { name: 'a', tags: 'red', i: 0 },
      { name: 'a', tags: 'blue', i: 1 },
      { name: 'b', tags: 'red', i: 0 },
      { name: 'c', i: null },
      { name: 'd', tags: 'green', i: 0 },
      { name: 'd', tags: 'red', i: 1 },
      { name: 'e', i: null },
    ],
  ],
  [
    '$unwind then $group',
    [{ $unwind: '$tags' }, { $group: { _id: '$tags', n: { $sum: 1 }, who: { $push: '$name' } } }, { $sort: { _id: 1 } }],
    [
      { _id: 'blue', n: 1, who: ['a'] },
      { _id: 'green', n: 1, who: ['d'] },
      { _id: 'red', n: 3, who: ['a', 'b', 'd'] },
    ],
  ],
  [
    '$addFields with expressions and a dotted key',
    [
      { $sort: { name: 1 } },
      { $addFields: { total: { $multiply: ['$price', { $ifNull: ['$qty', 0] }] }, 'meta.z': 1 } },
      { $project: { _id: 0, name: 1, total: 1, meta: 1 } },
    ],
    [
      { name: 'a', total: 10, meta: { w: 1, z: 1 } },
      { name: 'b', total: 40, meta: { w: 2, z: 1 } },
      { name: 'c', total: 90, meta: { w: 3, z: 1 } },
      { name: 'd', total: 20, meta: { z: 1 } },
      { name: 'e', total: 0, meta: { z: 1 } },
    ],
  ],
  [
    '$set with a field path and string operators',
    [
      { $sort: { name: 1 } },
      { $set: { label: { $concat: ['$cat', '-', { $toUpper: '$name' }] }, c: '$cat' } },
      { $project: { _id: 0, label: 1, c: 1 } },
    ],
    [
      { label: 'x-A', c: 'x' },
      { label: 'x-B', c: 'x' },
      { label: 'y-C', c: 'y' },
      { label: 'y-D', c: 'y' },
      { label: 'z-E', c: 'z' },
    ],
  ],
  [
    '$group by an expression, summing an expression',
    [
      { $group: { _id: { $toUpper: '$cat' }, revenue: { $sum: { $multiply: ['$price', { $ifNull: ['$qty', 1] }] } } } },
      { $sort: { _id: 1 } },
    ],
    [
      { _id: 'X', revenue: 50 },
      { _id: 'Y', revenue: 110 },
      { _id: 'Z', revenue: 15 },
    ],
  ],
  [
    '$group by a compound key with a missing part',
    [{ $group: { _id: { c: '$cat', w: '$meta.w' }, n: { $sum: 1 } } }, { $sort: { '_id.c': 1, '_id.w': 1 } }],
    [
      { _id: { c: 'x', w: 1 }, n: 1 },
      { _id: { c: 'x', w: 2 }, n: 1 },
      { _id: { c: 'y' }, n: 1 },
      { _id: { c: 'y', w: 3 }, n: 1 },
      { _id: { c: 'z' }, n: 1 },
    ],
  ],
  [
    'a database prefix, then the rest',
    [
      { $match: { price: { $gte: 10 } } },
      { $sort: { price: 1 } },
      { $group: { _id: null, n: { $sum: 1 }, avg: { $avg: '$price' } } },
    ],
    [{ _id: null, n: 4, avg: 18.75 }],
  ],
  ['password never leaves', [{ $match: { name: 'e' } }, { $project: { _id: 0, name: 1, password: 1 } }], [{ name: 'e' }]],
  [
    'password never leaves the in-process path either',
    [{ $match: { name: 'e' } }, { $addFields: { x: 1 } }, { $project: { _id: 0, name: 1, password: 1, x: 1 } }],
    [{ name: 'e', x: 1 }],
  ],
];

const json = (rows: Row[]) => JSON.parse(JSON.stringify(rows));

describe.each([
  ['the data service (the engine decides)', viaService],
  ['the in-process path forced', viaLocalPath],
])('aggregation answers through %s', (_label, run) => {
  it.each(accumulatorCases)('%s', async (_name, pipeline, expected) => {
    expect(json(await run(pipeline))).toEqual(json(expected));
  });

  it('$addToSet (a set: compared sorted)', async () => {
    const rows = await run(byCat({ $addToSet: '$qty' }));
    expect(sortSets(rows, ['v'])).toEqual(perCat([1, 2], [3, 4], []));
    const tags = await run([{ $unwind: '$tags' }, { $group: { _id: null, v: { $addToSet: '$tags' } } }]);
    expect(sortSets(tags, ['v'])).toEqual([{ _id: null, v: ['blue', 'green', 'red'] }]);
  });

  it('computes every accumulator of one $group', async () => {
    expect(sortSets(json(await run(everyAccumulatorAtOnce)), ['cats'])).toEqual([everyAccumulatorAnswer]);
  });

  it.each(stageCases)('%s', async (_name, pipeline, expected) => {
    expect(json(await run(pipeline))).toEqual(json(expected));
  });
});

describe('bounds of the in-process path', () => {
  const avg = { $group: { _id: null, avg: { $avg: '$v' } } };

  it(`refuses to stream more than ${LOCAL_AGGREGATE_MAX_DOCS} documents into it (400), never a partial answer`, async () => {
    const refused = viaLocalPath([avg], 'big');
    await expect(refused).rejects.toMatchObject({
      status: 400,
      message: `This aggregation needs more than ${LOCAL_AGGREGATE_MAX_DOCS} documents on this server; add a $match or $limit first.`,
    });
    const kind = await scope.tenant.serverKind();
    if (kind === 'mongodb') {
      expect(await viaService([avg], 'big')).toEqual([{ _id: null, avg: LOCAL_AGGREGATE_MAX_DOCS / 2 }]);
    } else {
      await expect(viaService([avg], 'big')).rejects.toMatchObject({ status: 400 });
    }
  });

  it('answers once a $match or $limit in front keeps it under the cap', async () => {
    expect(await viaService([{ $match: { v: { $lt: 100 } } }, avg], 'big')).toEqual([{ _id: null, avg: 49.5 }]);
    expect(await viaService([{ $sort: { v: 1 } }, { $limit: 10 }, avg], 'big')).toEqual([{ _id: null, avg: 4.5 }]);
  });

  it('stops a runaway evaluation at the time limit (503), and the next one still works', async () => {
    const redos = {
      $match: { $expr: { $regexMatch: { input: `${'a'.repeat(40)}!`, regex: '^(a+)+$' } } },
    };
    const started = Date.now();
    await expect(viaLocalPath([redos, { $count: 'n' }], 'items', 300)).rejects.toMatchObject({ status: 503 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await viaLocalPath([{ $addFields: { x: 1 } }, { $count: 'n' }])).toEqual([{ n: 5 }]);
  });

  it('refuses a pipeline that needs more memory than an evaluation may take (400), and the process lives on', async () => {
    const huge = { $addFields: { r: { $range: [0, 1_000_000_000] } } };
    await expect(viaLocalPath([huge, { $count: 'n' }], 'items', 20_000)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/needs more than \d+ MB of memory/),
    });
    expect(await viaLocalPath([{ $addFields: { x: 1 } }, { $count: 'n' }])).toEqual([{ n: 5 }]);
  });

  it('answers 400 for a pipeline the evaluator or the server refuses', async () => {
    for (const run of [viaService, viaLocalPath]) {
      await expect(run([{ $group: { _id: null, x: { $nope: 1 } } }])).rejects.toMatchObject({ status: 400 });
      await expect(run([{ $addFields: { x: { $add: ['$name', 1] } } }])).rejects.toMatchObject({ status: 400 });
    }
  });
});
