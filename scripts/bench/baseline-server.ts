/**
 * The bare baseline of `pnpm bench`: Express 5 + the native MongoDB driver (the one mongoose ships)
 * doing the same database work as each benchmarked product route, with no auth, no rate limit, no
 * usage accounting and no request log. Started as its own process by `stack.ts`:
 *   BARE_MONGODB_URI=mongodb://host:port/db BARE_PORT=1234 node --import tsx scripts/bench/baseline-server.ts
 */
import express from 'express';
import mongoose from 'mongoose';
import { createPasswordHasher } from '../../packages/common/src/user-auth/password-hasher.js';

const uri = process.env.BARE_MONGODB_URI ?? '';
const port = Number(process.env.BARE_PORT ?? 0);
const client = await new mongoose.mongo.MongoClient(uri).connect();
const db = client.db();
const items = db.collection('items');
const notes = db.collection('notes');
const logs = db.collection('logs');
const users = db.collection('users');
const hasher = createPasswordHasher({ cost: Number(process.env.BCRYPT_COST ?? 10), engine: 'native' });
const byNewest = { createdAt: -1, _id: -1 } as const;
const oid = (id: string) => new mongoose.mongo.ObjectId(id);

const app = express();
app.use(express.json({ limit: '1mb' }));
app.get('/items/:id', async (req, res) => {
  res.json(await items.findOne({ _id: oid(req.params.id) }));
});
app.get('/items', async (req, res) => {
  const filter: Record<string, unknown> = {};
  if (typeof req.query.category === 'string') filter.category = req.query.category;
  if (typeof req.query.after === 'string') {
    // The cursor of the product: the sort values of the last document of the previous page.
    const [at, id] = req.query.after.split('_');
    const createdAt = new Date(Number(at));
    filter.$or = [{ createdAt: { $lt: createdAt } }, { createdAt, _id: { $lt: oid(id ?? '') } }];
  }
  res.json(await items.find(filter).sort(byNewest).limit(20).toArray());
});
app.get('/notes', async (req, res) => {
  res.json(
    await notes
      .find({ owner: String(req.query.owner) })
      .sort(byNewest)
      .limit(20)
      .toArray(),
  );
});
app.patch('/items/:id', async (req, res) => {
  const set = { ...(req.body as Record<string, unknown>), updatedAt: new Date() };
  res.json(await items.findOneAndUpdate({ _id: oid(req.params.id) }, { $set: set }, { returnDocument: 'after' }));
});
app.post('/logs', async (req, res) => {
  const doc = { ...(req.body as Record<string, unknown>), createdAt: new Date(), updatedAt: new Date() };
  const { insertedId } = await logs.insertOne(doc);
  res.status(201).json({ _id: insertedId, ...doc });
});
app.post('/logs/bulk', async (req, res) => {
  const now = new Date();
  const docs = (req.body as Record<string, unknown>[]).map((d) => ({ ...d, createdAt: now, updatedAt: now }));
  const { insertedCount } = await logs.insertMany(docs);
  res.status(201).json({ insertedCount });
});
app.post('/login', async (req, res) => {
  const { email, password } = req.body as { email: string; password: string };
  const user = await users.findOne({ email });
  const ok = user !== null && (await hasher.verify(password, String(user.password)));
  res.status(ok ? 200 : 401).json({ ok });
});

const server = app.listen(port, '127.0.0.1');
const stop = () => {
  server.close();
  void client.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
