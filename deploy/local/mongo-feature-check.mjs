#!/usr/bin/env node
// Feature check of the MongoDB server behind MONGO_URL (default: the local mongo-java-server
// stand-in started by deploy/local/infra.sh) against what the services use through
// mongoose 8 / mongodb driver 6.
//
//   node deploy/local/mongo-feature-check.mjs [--keep]
//
// Works in a throw-away database (tthc_feature_check) that is dropped at the end (unless --keep).
// Prints one line per check (PASS / FAIL / INFO) and exits 1 when any "required" check fails.
// The results are recorded in docs/local-infrastructure.md.

import { Readable } from 'node:stream';
import { randomBytes, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import mongoose from 'mongoose';

function driverVersion() {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('mongodb');
    const pkg = path.join(
      main.slice(0, main.lastIndexOf(`${path.sep}node_modules${path.sep}mongodb${path.sep}`)),
      'node_modules',
      'mongodb',
      'package.json',
    );
    return JSON.parse(readFileSync(pkg, 'utf8')).version;
  } catch {
    return '?';
  }
}

const MONGO_URL = process.env.MONGO_URL || 'mongodb://127.0.0.1:27017/tthc';
const DB_NAME = 'tthc_feature_check';
const keep = process.argv.includes('--keep');

const results = [];

function fmtErr(e) {
  const code = e && e.code !== undefined ? ` [code ${e.code}${e.codeName ? ' ' + e.codeName : ''}]` : '';
  return `${e && e.name ? e.name : 'Error'}: ${String(e && e.message ? e.message : e).split('\n')[0]}${code}`;
}

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

function eq(actual, expected, msg) {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (a !== b) throw new Error(`${msg}: expected ${b}, got ${a}`);
}

/** required=true: the services rely on it; false: informational (tells the team what not to use). */
async function check(name, fn, { required = true } = {}) {
  const t0 = Date.now();
  try {
    const note = await fn();
    results.push({ name, ok: true, required, note: note || '' });
    console.log(`PASS  ${name}${note ? ` — ${note}` : ''} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false, required, note: fmtErr(e) });
    console.log(`${required ? 'FAIL' : 'NO  '}  ${name} — ${fmtErr(e)}`);
  }
}

const conn = mongoose.connection;
await check('connect (mongoose.connect) + ping', async () => {
  await mongoose.connect(MONGO_URL, { dbName: DB_NAME, serverSelectionTimeoutMS: 5000, autoIndex: false });
  const hello = await conn.db.admin().command({ isMaster: 1 });
  const build = await conn.db.admin().command({ buildInfo: 1 });
  await conn.db.command({ ping: 1 });
  return `server version ${build.version}, wire ${hello.minWireVersion}..${hello.maxWireVersion}, driver ${driverVersion()}, mongoose ${mongoose.version}`;
});
if (!results[0].ok) {
  console.log('cannot connect; giving up');
  process.exit(1);
}

await conn.db.dropDatabase();

const dossierSchema = new mongoose.Schema(
  {
    code: { type: String, required: true },
    agency: String,
    status: String,
    received: Number,
    onTime: Number,
    maxDays: Number,
    tags: [String],
    receivedAt: Date,
    meta: { source: String },
  },
  { collection: 'dossiers', versionKey: false },
);
dossierSchema.index({ code: 1 }, { unique: true });
dossierSchema.index({ agency: 1, receivedAt: -1 });
const Dossier = mongoose.model('Dossier', dossierSchema);

await check('createIndexes: unique + compound (Model.createIndexes)', async () => {
  await Dossier.createIndexes();
  const idx = await Dossier.collection.indexes();
  const unique = idx.find((i) => i.key && i.key.code === 1);
  assert(unique && unique.unique === true, `unique index on code present (${JSON.stringify(idx)})`);
  return `${idx.length} indexes`;
});

await check('insertMany', async () => {
  const docs = [];
  for (let i = 0; i < 20; i++) {
    docs.push({
      code: `D${String(i).padStart(3, '0')}`,
      agency: i % 2 ? 'A' : 'B',
      status: i % 3 ? 'done' : 'open',
      received: 1,
      onTime: i % 4 ? 1 : 0,
      maxDays: i,
      tags: ['x', `t${i % 3}`],
      receivedAt: new Date(Date.UTC(2025, 0, 1 + i)),
      meta: { source: 'seed' },
    });
  }
  const r = await Dossier.insertMany(docs);
  eq(r.length, 20, 'inserted');
});

await check('bulkWrite: updateOne upsert with $set/$setOnInsert/$inc/$max (insert + update paths)', async () => {
  const ops = (val) => [
    {
      updateOne: {
        filter: { code: 'D001' }, // existing -> update path
        update: {
          $set: { status: 'x' },
          $setOnInsert: { agency: 'SHOULD-NOT-APPLY' },
          $inc: { received: 2 },
          $max: { maxDays: val },
        },
        upsert: true,
      },
    },
    {
      updateOne: {
        filter: { code: 'NEW1' }, // missing -> insert path
        update: {
          $set: { status: 'new' },
          $setOnInsert: { agency: 'C' },
          $inc: { received: 1 },
          $max: { maxDays: val },
        },
        upsert: true,
      },
    },
  ];
  const r1 = await Dossier.bulkWrite(ops(50), { ordered: false });
  eq([r1.matchedCount, r1.modifiedCount, r1.upsertedCount], [1, 1, 1], 'first bulkWrite matched/modified/upserted');
  assert(r1.upsertedIds && Object.keys(r1.upsertedIds).length === 1, 'upsertedIds has one entry');
  const r2 = await Dossier.bulkWrite(ops(10), { ordered: false }); // $max 10 < 50: no change to maxDays
  eq([r2.matchedCount, r2.upsertedCount], [2, 0], 'second bulkWrite matched/upserted');
  const d1 = await Dossier.findOne({ code: 'D001' }).lean();
  const n1 = await Dossier.findOne({ code: 'NEW1' }).lean();
  eq([d1.status, d1.agency, d1.received, d1.maxDays], ['x', 'A', 5, 50], 'D001 after two upserts');
  eq([n1.status, n1.agency, n1.received, n1.maxDays], ['new', 'C', 2, 50], 'NEW1 after two upserts');
  return 'counts and resulting values correct';
});

await check('bulkWrite: mixed insertOne/updateMany/deleteOne/replaceOne', async () => {
  const r = await Dossier.bulkWrite([
    { insertOne: { document: { code: 'BW1', agency: 'Z', received: 1 } } },
    { updateMany: { filter: { agency: 'Z' }, update: { $inc: { received: 1 } } } },
    { replaceOne: { filter: { code: 'BW1' }, replacement: { code: 'BW1', agency: 'Z2', received: 9 } } },
    { deleteOne: { filter: { code: 'BW1' } } },
  ]);
  eq([r.insertedCount, r.matchedCount, r.modifiedCount, r.deletedCount], [1, 2, 2, 1], 'counts');
});

await check('find with filter + sort + skip + limit + projection', async () => {
  const docs = await Dossier.find({ agency: 'B' }, { code: 1, maxDays: 1, _id: 0 })
    .sort({ maxDays: -1 })
    .skip(1)
    .limit(3)
    .lean();
  eq(
    docs.map((d) => d.code),
    ['D016', 'D014', 'D012'],
    'codes',
  );
});

await check('find with $in/$gte/$lt/$regex/$exists/$elemMatch-on-array', async () => {
  const n1 = await Dossier.countDocuments({ code: { $in: ['D001', 'D002', 'nope'] } });
  const n2 = await Dossier.countDocuments({
    receivedAt: { $gte: new Date(Date.UTC(2025, 0, 5)), $lt: new Date(Date.UTC(2025, 0, 10)) },
  });
  const n3 = await Dossier.countDocuments({ code: { $regex: '^D00' } });
  const n4 = await Dossier.countDocuments({ 'meta.source': { $exists: false } });
  const n5 = await Dossier.countDocuments({ tags: 't1' });
  eq([n1, n2, n3, n4, n5], [2, 5, 10, 1, 7], 'counts');
});

await check('countDocuments + estimatedDocumentCount', async () => {
  const n = await Dossier.countDocuments({ status: 'done' });
  const all = await Dossier.estimatedDocumentCount();
  eq([n, all], [12, 21], 'counts'); // D001 was set to status 'x' by the bulkWrite check
});

await check('aggregate $match/$group/$sum (+ $sort)', async () => {
  const rows = await Dossier.aggregate([
    { $match: { meta: { $exists: true }, 'meta.source': 'seed' } },
    { $group: { _id: '$agency', received: { $sum: '$received' }, onTime: { $sum: '$onTime' }, n: { $sum: 1 } } },
    { $sort: { _id: 1 } },
  ]);
  eq(
    rows,
    [
      { _id: 'A', received: 14, onTime: 10, n: 10 },
      { _id: 'B', received: 10, onTime: 5, n: 10 },
    ],
    'groups',
  );
});

const aggChecks = [
  [
    '$project/$addFields with $cond/$eq/$divide/$multiply/$ifNull/$concat/$toString',
    [
      { $match: { code: { $in: ['D002', 'D004'] } } },
      { $addFields: { rate: { $multiply: [{ $divide: ['$onTime', '$received'] }, 100] } } },
      {
        $project: {
          _id: 0,
          code: 1,
          rate: 1,
          late: { $cond: [{ $eq: ['$onTime', 0] }, true, false] },
          src: { $ifNull: ['$missing', 'n/a'] },
          label: { $concat: ['$agency', '-', { $toString: '$maxDays' }] },
        },
      },
      { $sort: { code: 1 } },
    ],
    [
      { code: 'D002', rate: 100, late: false, src: 'n/a', label: 'B-2' },
      { code: 'D004', rate: 0, late: true, src: 'n/a', label: 'B-4' },
    ],
  ],
  [
    '$round',
    [{ $match: { code: 'D002' } }, { $project: { _id: 0, r: { $round: [{ $divide: [2, 3] }, 2] } } }],
    [{ r: 0.67 }],
  ],
  [
    '$trunc / $floor',
    [{ $match: { code: 'D002' } }, { $project: { _id: 0, t: { $trunc: 2.7 }, f: { $floor: 2.7 } } }],
    [{ t: 2, f: 2 }],
  ],
  [
    '$subtract of two dates (milliseconds; pre-5.0 way to get a duration)',
    [
      { $match: { code: 'D003' } },
      { $project: { _id: 0, ms: { $subtract: ['$receivedAt', new Date(Date.UTC(2025, 0, 1))] } } },
    ],
    [{ ms: 3 * 86400000 }],
  ],
  [
    '$group with $avg/$min/$max/$first/$push/$addToSet',
    [
      { $match: { agency: 'B' } },
      { $sort: { maxDays: 1 } },
      {
        $group: {
          _id: null,
          avg: { $avg: '$maxDays' },
          min: { $min: '$maxDays' },
          max: { $max: '$maxDays' },
          first: { $first: '$code' },
          pushed: { $push: '$maxDays' },
          set: { $addToSet: '$status' },
        },
      },
      {
        $project: {
          _id: 0,
          avg: 1,
          min: 1,
          max: 1,
          first: 1,
          pushedLen: { $size: '$pushed' },
          setLen: { $size: '$set' },
        },
      },
    ],
    [{ avg: 9, min: 0, max: 18, first: 'D000', pushedLen: 10, setLen: 2 }],
  ],
  [
    '$group by $dateToString (day buckets)',
    [
      { $match: { code: { $in: ['D000', 'D001'] } } },
      { $group: { _id: { $dateToString: { format: '%Y-%m-%d', date: '$receivedAt' } }, n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ],
    [
      { _id: '2025-01-01', n: 1 },
      { _id: '2025-01-02', n: 1 },
    ],
  ],
  [
    '$group by $year/$month',
    [
      { $match: { code: 'D003' } },
      { $group: { _id: { y: { $year: '$receivedAt' }, m: { $month: '$receivedAt' } }, n: { $sum: 1 } } },
    ],
    [{ _id: { y: 2025, m: 1 }, n: 1 }],
  ],
  [
    '$unwind + $group + $count',
    [{ $match: { agency: 'A' } }, { $unwind: '$tags' }, { $group: { _id: '$tags' } }, { $count: 'distinctTags' }],
    [{ distinctTags: 4 }],
  ],
  [
    '$facet',
    [
      { $match: { meta: { $exists: true } } },
      { $facet: { total: [{ $count: 'n' }], open: [{ $match: { status: 'open' } }, { $count: 'n' }] } },
    ],
    [{ total: [{ n: 20 }], open: [{ n: 7 }] }],
  ],
  [
    '$lookup (localField/foreignField)',
    [
      { $match: { code: 'D002' } },
      { $lookup: { from: 'dossiers', localField: 'agency', foreignField: 'agency', as: 'same' } },
      { $project: { _id: 0, n: { $size: '$same' } } },
    ],
    [{ n: 10 }],
  ],
  [
    '$sortByCount',
    [{ $match: { meta: { $exists: true } } }, { $sortByCount: '$status' }],
    [
      { _id: 'done', count: 12 },
      { _id: 'open', count: 7 },
      { _id: 'x', count: 1 },
    ],
  ],
  [
    '$bucket',
    [
      { $match: { meta: { $exists: true } } },
      { $bucket: { groupBy: '$maxDays', boundaries: [0, 10, 100], default: 'other', output: { n: { $sum: 1 } } } },
    ],
    [
      { _id: 0, n: 9 },
      { _id: 10, n: 11 },
    ],
  ], // D001.maxDays became 50
  [
    '$dateDiff (MongoDB 5.0 operator)',
    [
      { $match: { code: 'D003' } },
      {
        $project: {
          _id: 0,
          d: { $dateDiff: { startDate: new Date(Date.UTC(2025, 0, 1)), endDate: '$receivedAt', unit: 'day' } },
        },
      },
    ],
    [{ d: 3 }],
  ],
  [
    '$setWindowFields (MongoDB 5.0 operator)',
    [
      { $match: { code: { $in: ['D000', 'D002'] } } },
      {
        $setWindowFields: {
          sortBy: { maxDays: 1 },
          output: { cum: { $sum: '$received', window: { documents: ['unbounded', 'current'] } } },
        },
      },
      { $project: { _id: 0, cum: 1 } },
    ],
    [{ cum: 1 }, { cum: 2 }],
  ],
  [
    '$merge into another collection',
    [
      { $match: { agency: 'A', meta: { $exists: true } } },
      { $group: { _id: '$agency', n: { $sum: 1 } } },
      { $merge: { into: 'agency_stats', whenMatched: 'replace', whenNotMatched: 'insert' } },
    ],
    [],
  ],
  ['$out into another collection', [{ $match: { agency: 'B' } }, { $project: { code: 1 } }, { $out: 'b_codes' }], []],
];
for (const [name, pipeline, expected] of aggChecks) {
  await check(
    `aggregate ${name}`,
    async () => {
      const rows = await Dossier.aggregate(pipeline);
      eq(rows, expected, 'result');
    },
    { required: false },
  );
}

await check(
  'distinct',
  async () => {
    const v = (await Dossier.distinct('agency')).sort();
    eq(v, ['A', 'B', 'C'], 'values');
  },
  { required: false },
);

await check('updateMany / deleteMany', async () => {
  const u = await Dossier.updateMany({ agency: 'C' }, { $set: { status: 'closed' }, $push: { tags: 'c' } });
  eq([u.matchedCount, u.modifiedCount], [1, 1], 'update');
  await Dossier.create({ code: 'TMP1' });
  const d = await Dossier.deleteMany({ code: 'TMP1' });
  eq(d.deletedCount, 1, 'delete');
});

await check('update operators $unset/$min/$rename/$addToSet/$push $each+$slice/$currentDate/nested $inc', async () => {
  await Dossier.collection.insertOne({ code: 'OPS1', a: 5, b: 1, arr: [1], set: ['x'], nested: { c: 1 } });
  await Dossier.collection.updateOne(
    { code: 'OPS1' },
    {
      $unset: { b: '' },
      $min: { a: 2 },
      $rename: { tmpNone: 'x' },
      $addToSet: { set: { $each: ['x', 'y'] } },
      $push: { arr: { $each: [2, 3, 4], $slice: -3 } },
      $currentDate: { touchedAt: true },
      $inc: { 'nested.c': 2 },
    },
  );
  const d = await Dossier.collection.findOne({ code: 'OPS1' });
  eq(
    [d.a, d.b, d.arr, d.set, d.nested.c, d.touchedAt instanceof Date],
    [2, undefined, [2, 3, 4], ['x', 'y'], 3, true],
    'doc',
  );
  await Dossier.collection.deleteOne({ code: 'OPS1' });
});

await check(
  'update with an aggregation pipeline (updateOne(filter, [{ $set }]))',
  async () => {
    await Dossier.collection.insertOne({ code: 'PIPE1', received: 2, onTime: 1 });
    await Dossier.collection.updateOne({ code: 'PIPE1' }, [
      { $set: { late: { $subtract: ['$received', '$onTime'] } } },
    ]);
    const d = await Dossier.collection.findOne({ code: 'PIPE1' });
    await Dossier.collection.deleteOne({ code: 'PIPE1' });
    eq(d.late, 1, 'late');
  },
  { required: false },
);

await check(
  'updateOne with arrayFilters',
  async () => {
    await Dossier.collection.insertOne({
      code: 'AF1',
      steps: [
        { s: 'a', done: false },
        { s: 'b', done: false },
      ],
    });
    await Dossier.collection.updateOne(
      { code: 'AF1' },
      { $set: { 'steps.$[st].done': true } },
      { arrayFilters: [{ 'st.s': 'b' }] },
    );
    const d = await Dossier.collection.findOne({ code: 'AF1' });
    await Dossier.collection.deleteOne({ code: 'AF1' });
    eq(
      d.steps.map((x) => x.done),
      [false, true],
      'done flags',
    );
  },
  { required: false },
);

await check('_id range of strings + sort by _id + limit (index pages, e.g. the overdue index)', async () => {
  const coll = conn.db.collection('id_range_check');
  await coll.deleteMany({});
  const ids = Array.from({ length: 20000 }, (_, i) => `S${i % 2}\u001f${String(i).padStart(6, '0')}`);
  await coll.insertMany(ids.map((_id, i) => ({ _id, i, odd: i % 2 === 1 })));
  await coll.insertOne({ _id: 7, i: -1 }); // not a string: never in a string range
  const want = ids.filter((id) => id >= 'S1\u001f' && id < 'S1\u001f010000').sort();
  const page = await coll
    .find({ _id: { $gte: 'S1\u001f', $lt: 'S1\u001f010000' } })
    .sort({ _id: 1 })
    .skip(5)
    .limit(10)
    .toArray();
  eq(
    page.map((d) => d._id),
    want.slice(5, 15),
    'ascending page',
  );
  const back = await coll
    .find({ _id: { $gt: 'S1\u001f', $lte: 'S1\u001f010001' } })
    .sort({ _id: -1 })
    .limit(3)
    .toArray();
  eq(
    back.map((d) => d._id),
    [...want, 'S1\u001f010001'].sort().reverse().slice(0, 3),
    'descending page',
  );
  const filtered = await coll
    .find({ _id: { $gte: 'S0\u001f', $lt: 'S0\u001f000100' }, i: { $gte: 90 } })
    .sort({ _id: 1 })
    .toArray();
  eq(
    filtered.map((d) => d.i),
    [90, 92, 94, 96, 98],
    'range with a further condition',
  );
  // After writes: a new id inside the range, a removed one.
  await coll.insertOne({ _id: 'S1\u001f000000a', i: 0.5 });
  await coll.deleteOne({ _id: want[0] });
  const after = await coll
    .find({ _id: { $gte: 'S1\u001f', $lt: 'S2' } })
    .sort({ _id: 1 })
    .limit(2)
    .toArray();
  eq(
    after.map((d) => d._id),
    ['S1\u001f000000a', want[1]],
    'after an insert and a delete',
  );
  const t0 = Date.now();
  for (let k = 0; k < 50; k++) {
    await coll
      .find({ _id: { $gte: `S1\u001f${String(k * 200).padStart(6, '0')}` } })
      .sort({ _id: 1 })
      .limit(50)
      .toArray();
  }
  const ms = Date.now() - t0;
  await coll.drop();
  return `50 pages of 50 over 20,000 documents: ${ms} ms`;
});

await check('cursor over 2500 documents with batchSize 200 (getMore) + bulk timing', async () => {
  const coll = conn.db.collection('many');
  const t0 = Date.now();
  const ops = [];
  for (let i = 0; i < 2500; i++) {
    ops.push({
      updateOne: { filter: { k: i }, update: { $setOnInsert: { k: i }, $inc: { n: 1 }, $max: { m: i } }, upsert: true },
    });
  }
  const r = await coll.bulkWrite(ops, { ordered: false });
  const tBulk = Date.now() - t0;
  eq(r.upsertedCount, 2500, 'upserted');
  await coll.createIndex({ k: 1 }, { unique: true });
  const t1 = Date.now();
  const r2 = await coll.bulkWrite(ops, { ordered: false });
  const tBulk2 = Date.now() - t1;
  eq([r2.matchedCount, r2.modifiedCount], [2500, 2500], 'matched/modified');
  let n = 0;
  for await (const doc of coll.find({}, { batchSize: 200 }).sort({ k: 1 })) {
    if (doc.k !== n) throw new Error(`order broken at ${n}`);
    n++;
  }
  eq(n, 2500, 'iterated');
  return `2500 upserts: ${tBulk} ms without index, ${tBulk2} ms with unique index on the filter field`;
});

await check('findOneAndUpdate with upsert (insert path, new:true)', async () => {
  const doc = await Dossier.findOneAndUpdate(
    { code: 'FOU1' },
    { $setOnInsert: { agency: 'F' }, $inc: { received: 1 }, $max: { maxDays: 7 } },
    { upsert: true, new: true, lean: true },
  );
  eq([doc.code, doc.agency, doc.received, doc.maxDays], ['FOU1', 'F', 1, 7], 'inserted doc');
});

await check('findOneAndUpdate with upsert (update path, new:true / includeResultMetadata)', async () => {
  const doc = await Dossier.findOneAndUpdate(
    { code: 'FOU1' },
    { $inc: { received: 1 } },
    { upsert: true, new: true, lean: true },
  );
  eq(doc.received, 2, 'received');
  const raw = await Dossier.findOneAndUpdate(
    { code: 'FOU1' },
    { $inc: { received: 1 } },
    { new: false, includeResultMetadata: true, lean: true },
  );
  eq([raw.ok, raw.value.received, raw.lastErrorObject.updatedExisting], [1, 2, true], 'raw result');
});

await check('duplicate key error on unique index (code 11000): create, insertMany, bulkWrite upsert', async () => {
  let e1, e2, e3;
  try {
    await Dossier.create({ code: 'D001' });
  } catch (e) {
    e1 = e;
  }
  assert(e1 && e1.code === 11000, `create -> 11000 (got ${e1 && fmtErr(e1)})`);
  try {
    await Dossier.insertMany([{ code: 'DUP-OK' }, { code: 'D002' }], { ordered: false });
  } catch (e) {
    e2 = e;
  }
  const codes2 = e2 && (e2.writeErrors || []).map((w) => w.code ?? (w.err && w.err.code));
  assert(
    e2 && (e2.code === 11000 || (codes2 && codes2.includes(11000))),
    `insertMany -> 11000 (got ${e2 && fmtErr(e2)})`,
  );
  const okDoc = await Dossier.countDocuments({ code: 'DUP-OK' });
  eq(okDoc, 1, 'unordered insertMany kept the non-duplicate document');
  try {
    await Dossier.bulkWrite([
      { updateOne: { filter: { code: 'NEW1', agency: 'nomatch' }, update: { $set: { status: 'y' } }, upsert: true } },
    ]);
  } catch (e) {
    e3 = e;
  }
  const codes3 = e3 && (e3.writeErrors || []).map((w) => w.code ?? (w.err && w.err.code));
  assert(
    e3 && (e3.code === 11000 || (codes3 && codes3.includes(11000))),
    `bulkWrite upsert -> 11000 (got ${e3 && fmtErr(e3)})`,
  );
  return `keyPattern=${JSON.stringify(e1.keyPattern)} keyValue=${JSON.stringify(e1.keyValue)} message="${String(e1.message).slice(0, 120)}"`;
});

await check(
  'fenced writes: guard beside _id in the same update ($not $gte on a nested field, version CAS), duplicate key when the guard fails on upsert',
  async () => {
    const fenced = conn.db.collection('fenced');
    const dupOf = async (work) => {
      try {
        await work();
        return false;
      } catch (e) {
        const codes = (e.writeErrors || []).map((w) => w.code ?? (w.err && w.err.code));
        if (e.code === 11000 || codes.includes(11000)) return true;
        throw e;
      }
    };
    const guarded = (seq) => ({
      updateOne: {
        filter: { _id: 'c1', 'w.3': { $not: { $gte: seq } } },
        update: { $inc: { n: 1 }, $set: { 'w.3': seq }, $setOnInsert: { agency: 'A' } },
        upsert: true,
      },
    });
    await fenced.bulkWrite([guarded(1)], { ordered: false });
    eq(await dupOf(() => fenced.bulkWrite([guarded(1)], { ordered: false })), true, 'same journal again -> 11000');
    await fenced.bulkWrite([guarded(2)], { ordered: false });
    const again = await fenced.updateOne({ _id: 'c1', 'w.3': { $not: { $gte: 1 } } }, { $inc: { n: 1 } });
    eq(again.matchedCount, 0, 'an older journal no longer matches');
    eq(await fenced.findOne({ _id: 'c1' }), { _id: 'c1', n: 2, w: { 3: 2 }, agency: 'A' }, 'applied once per journal');
    await fenced.insertOne({ _id: 'd1', version: 1 });
    eq(
      (await fenced.replaceOne({ _id: 'd1', version: 1 }, { version: 2 })).modifiedCount,
      1,
      'CAS on the read version',
    );
    eq(
      (await fenced.replaceOne({ _id: 'd1', version: 1 }, { version: 3 })).matchedCount,
      0,
      'stale CAS matches nothing',
    );
    eq(
      await dupOf(() =>
        fenced.updateOne({ _id: 'b1', seq: 0, open: null }, { $set: { seq: 1, open: 'j1' } }, { upsert: true }),
      ),
      false,
      'first claim inserts',
    );
    eq(
      await dupOf(() =>
        fenced.updateOne({ _id: 'b1', seq: 0, open: null }, { $set: { seq: 1, open: 'j2' } }, { upsert: true }),
      ),
      true,
      'a second claim of the same sequence -> 11000',
    );
    eq((await fenced.findOne({ _id: 'b1' })).open, 'j1', 'the first claim stands');
  },
);

await check('GridFS (GridFSBucket) upload + download of a 600 KiB multi-chunk file, find, delete', async () => {
  const bucket = new mongoose.mongo.GridFSBucket(conn.db, { bucketName: 'reports' });
  const data = randomBytes(600 * 1024);
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  const id = await new Promise((resolve, reject) => {
    const up = bucket.openUploadStream('report.xlsx', { metadata: { kind: 'report' }, chunkSizeBytes: 255 * 1024 });
    Readable.from([data.subarray(0, 300000), data.subarray(300000)])
      .pipe(up)
      .on('error', reject)
      .on('finish', () => resolve(up.id));
  });
  const files = await bucket.find({ filename: 'report.xlsx' }).toArray();
  eq([files.length, files[0].length], [1, data.length], 'files entry');
  const chunks = [];
  await new Promise((resolve, reject) => {
    bucket
      .openDownloadStream(id)
      .on('data', (c) => chunks.push(c))
      .on('error', reject)
      .on('end', resolve);
  });
  const back = Buffer.concat(chunks);
  eq(sha(back), sha(data), 'sha256 by id');
  const chunks2 = [];
  await new Promise((resolve, reject) => {
    bucket
      .openDownloadStreamByName('report.xlsx')
      .on('data', (c) => chunks2.push(c))
      .on('error', reject)
      .on('end', resolve);
  });
  eq(sha(Buffer.concat(chunks2)), sha(data), 'sha256 by name');
  // ranged download
  const part = [];
  await new Promise((resolve, reject) => {
    bucket
      .openDownloadStream(id, { start: 1000, end: 300000 })
      .on('data', (c) => part.push(c))
      .on('error', reject)
      .on('end', resolve);
  });
  eq(sha(Buffer.concat(part)), sha(data.subarray(1000, 300000)), 'ranged download');
  await bucket.delete(id);
  eq((await bucket.find({ _id: id }).toArray()).length, 0, 'deleted');
  return 'byte-identical (sha256), by id, by name and ranged';
});

await check(
  'TTL index creation (expireAfterSeconds) — creation only, expiry not checked',
  async () => {
    await conn.db.collection('ttl_check').createIndex({ createdAt: 1 }, { expireAfterSeconds: 3600 });
  },
  { required: false },
);

await check(
  'partial unique index (partialFilterExpression)',
  async () => {
    await conn.db
      .collection('partial_check')
      .createIndex({ k: 1 }, { unique: true, partialFilterExpression: { k: { $exists: true } } });
  },
  { required: false },
);

await check(
  'multi-document transaction (session.withTransaction)',
  async () => {
    const session = await mongoose.startSession();
    try {
      await session.withTransaction(async () => {
        await Dossier.create([{ code: 'TX1' }], { session });
      });
    } finally {
      await session.endSession();
    }
    eq(await Dossier.countDocuments({ code: 'TX1' }), 1, 'committed');
  },
  { required: false },
);

await check(
  'change stream (collection.watch)',
  async () => {
    const cs = Dossier.collection.watch();
    try {
      await cs.tryNext(); // opens the change stream cursor (throws if unsupported)
      await Dossier.create({ code: 'CS1' });
      let timer;
      const ev = await Promise.race([
        cs.next(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no change event within 3 s')), 3000);
        }),
      ]).finally(() => clearTimeout(timer));
      assert(ev && ev.operationType === 'insert', 'insert event');
    } finally {
      await cs.close().catch(() => {});
    }
  },
  { required: false },
);

if (!keep) {
  await conn.db.dropDatabase().catch(() => {});
}
await mongoose.disconnect();

const failed = results.filter((r) => !r.ok);
const requiredFailed = failed.filter((r) => r.required);
console.log(
  `summary: ${results.length - failed.length} supported, ${failed.length} not supported (${requiredFailed.length} of them required)`,
);
if (requiredFailed.length) {
  console.log(`required checks failed: ${requiredFailed.map((r) => r.name).join('; ')}`);
  process.exit(1);
}
process.exit(0);
