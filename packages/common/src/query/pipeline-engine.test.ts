import { describe, expect, it } from 'vitest';
import { splitPipeline } from './pipeline-engine.js';

type Stage = Record<string, unknown>;

const match: Stage = { $match: { price: { $gte: 10 }, $or: [{ cat: 'x' }, { tags: { $in: ['red'] } }] } };
const sort: Stage = { $sort: { price: -1, name: 1 } };
const sumOne: Stage = { $group: { _id: '$cat', n: { $sum: 1 } } };

describe('splitPipeline', () => {
  it('leaves everything to MongoDB', () => {
    const pipeline = [{ $addFields: { x: 1 } }, { $group: { _id: null, a: { $avg: '$x' }, b: { $max: '$x' } } }];
    expect(splitPipeline(pipeline, 'mongodb')).toEqual({ server: pipeline, local: [] });
  });

  // Each row: a pipeline and how many of its stages FerretDB 1.24 answers exactly like MongoDB
  // (what it was seen to get wrong or not implement is in the comments).
  it.each<[string, Stage[], number]>([
    ['plain match, sort, skip, limit, count', [match, sort, { $skip: 1 }, { $limit: 2 }, { $count: 'n' }], 5],
    ['one $sum of a field, grouped by a path', [{ $group: { _id: '$cat', t: { $sum: '$price' } } }, sort], 2],
    ['one $sum of a constant, grouped by null', [{ $group: { _id: null, n: { $sum: 1 } } }], 1],
    ['one $count, grouped by an object of paths', [{ $group: { _id: { c: '$cat', w: '$meta.w' }, n: { $count: {} } } }], 1],
    ['$group with no accumulator', [{ $group: { _id: '$cat' } }], 1],
    // only the first accumulator is computed (`n: 0`)
    ['two accumulators', [match, { $group: { _id: null, t: { $sum: '$price' }, n: { $sum: 1 } } }], 1],
    // $avg, $min, $max, $first, $last, $push, $addToSet: "not implemented yet"
    ...['$avg', '$min', '$max', '$first', '$last', '$push', '$addToSet'].map((op): [string, Stage[], number] => [
      op,
      [match, { $group: { _id: null, v: { [op]: '$price' } } }],
      1,
    ]),
    // expression operators: "not implemented yet"
    ['$sum of an expression', [{ $group: { _id: null, v: { $sum: { $multiply: ['$a', 2] } } } }], 0],
    ['$group by an expression', [{ $group: { _id: { $toUpper: '$cat' }, n: { $sum: 1 } } }], 0],
    ['$group by a $$ variable', [{ $group: { _id: '$$ROOT', n: { $sum: 1 } } }], 0],
    ['$match with $expr', [{ $match: { $expr: { $gt: ['$a', '$b'] } } }], 0],
    // sub-document conditions inside $elemMatch match nothing
    ['$match with $elemMatch', [sort, { $match: { arr: { $elemMatch: { v: { $gt: 1 } } } } }], 1],
    ['$sort by $meta', [{ $sort: { score: { $meta: 'textScore' } } }], 0],
    // "$path" values and nested specs come back literally
    ['$project inclusion/exclusion', [{ $project: { name: 1, 'meta.w': true, _id: 0 } }, sort], 2],
    ['$project of a path', [{ $project: { x: '$meta.w' } }], 0],
    ['$project of a nested spec', [{ $project: { meta: { w: 1 } } }], 0],
    // $project on documents without _id drops the connection
    ['$project after $count', [{ $count: 'n' }, { $project: { n: 1 } }], 1],
    ['$project after a $project without _id', [{ $project: { _id: 0, a: 1 } }, match, { $project: { a: 1 } }], 2],
    ['$project after $group gets _id back', [{ $count: 'n' }, sumOne, { $project: { n: 1 } }], 3],
    // $unwind drops every other field; the object form is not implemented
    ['$unwind', [match, { $unwind: '$tags' }, sumOne], 1],
    // "$path" values are copied literally, dotted keys ignored
    ['$addFields', [{ $addFields: { k: 5 } }], 0],
    ['$set', [match, { $set: { k: '$cat' } }, match], 1],
  ])('%s', (_name, pipeline, trusted) => {
    for (const kind of ['ferretdb', 'unknown'] as const) {
      expect(splitPipeline(pipeline, kind)).toEqual({ server: pipeline.slice(0, trusted), local: pipeline.slice(trusted) });
    }
  });
});
