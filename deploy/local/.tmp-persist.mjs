import { MongoClient } from 'mongodb';
const c = new MongoClient('mongodb://127.0.0.1:27017/tthc', { serverSelectionTimeoutMS: 3000 });
await c.connect();
const col = c.db().collection('persist_check');
if (process.argv[2] === 'write') {
  await col.deleteMany({});
  await col.insertOne({ k: 'kept', at: new Date() });
}
console.log(process.argv[2], 'count =', await col.countDocuments({ k: 'kept' }));
await c.close();
