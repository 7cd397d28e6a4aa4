// The embedded engine's own thread: PGlite (PostgreSQL compiled to WebAssembly) runs here, so
// the statements it executes, the costliest work of a projection, leave the host's main thread
// free to read the bus and the event store meanwhile. Plain JavaScript: a worker thread loads it
// as it is, without the host's TypeScript loader.
//
// Protocol (see engine-thread.ts): every request has an `id` and gets exactly one reply,
// `{ id, rows }` or `{ id, error }`. `begin` opens transaction `tx`; queries naming `tx` run in
// it, in the order sent; `end` commits (or rolls back) and answers once that is done; `copy`
// runs a COPY … FROM '/dev/blob' statement over the text it brings (in transaction `tx` when it
// names one).
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';

const ROLLBACK = Symbol('rollback');
/** Open transactions: their queued requests, and who to wake when one arrives. */
const transactions = new Map();

const db = new PGlite(workerData.dataDir, { parsers: { [types.INT8]: (value) => Number(value) } });

const reply = (id, rows) => parentPort.postMessage({ id, rows });
const fail = (id, e) => parentPort.postMessage({ id, error: describe(e) });

/** The error's message and its PostgreSQL fields (code, detail, …): what callers branch on. */
function describe(e) {
  const error = { name: e?.name ?? 'Error', message: e?.message ?? String(e) };
  if (e && typeof e === 'object') for (const [key, value] of Object.entries(e)) if (typeof value === 'string' || typeof value === 'number') error[key] ??= value;
  return error;
}

/** A `query` or `copy` request on the engine or in a transaction; resolves with the rows to reply with. */
function run(executor, request) {
  if (request.op === 'copy') return executor.query(request.sql, [], { blob: new Blob([request.text]) }).then(() => []);
  return executor.query(request.sql, request.params).then((result) => result.rows);
}

function begin(id, txId) {
  const queue = { requests: [], wake: null };
  transactions.set(txId, queue);
  const next = () => (queue.requests.length ? Promise.resolve(queue.requests.shift()) : new Promise((resolve) => (queue.wake = resolve)));
  let end = null;
  db.transaction(async (tx) => {
    reply(id, []);
    for (;;) {
      const request = await next();
      if (request.op === 'end') {
        end = request;
        if (!request.commit) throw ROLLBACK;
        return;
      }
      try {
        reply(request.id, await run(tx, request));
      } catch (e) {
        fail(request.id, e);
      }
    }
  }).then(
    () => reply(end.id, []),
    (e) => (e === ROLLBACK ? reply(end.id, []) : end ? fail(end.id, e) : fail(id, e)),
  ).finally(() => transactions.delete(txId));
}

function enqueue(txId, request) {
  const queue = transactions.get(txId);
  if (!queue) return fail(request.id, new Error(`no open transaction ${txId}`));
  if (queue.wake) {
    const wake = queue.wake;
    queue.wake = null;
    wake(request);
  } else queue.requests.push(request);
}

parentPort.on('message', (request) => {
  switch (request.op) {
    case 'begin':
      return begin(request.id, request.tx);
    case 'end':
      return enqueue(request.tx, request);
    case 'query':
    case 'copy':
      if (request.tx !== undefined) return enqueue(request.tx, request);
      return run(db, request).then((rows) => reply(request.id, rows), (e) => fail(request.id, e));
    case 'close':
      return db.close().then(() => reply(request.id, []), (e) => fail(request.id, e));
    default:
      return fail(request.id, new Error(`unknown request ${request.op}`));
  }
});

db.waitReady.then(() => parentPort.postMessage({ ready: true }), (e) => parentPort.postMessage({ ready: false, error: describe(e) }));
