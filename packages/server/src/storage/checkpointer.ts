import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a thread of their own. SQLite otherwise checkpoints inside the commit
 * that crosses `wal_autocheckpoint`, on the event loop: every few hundred sends one request
 * copied thousands of pages into the database file (up to half a second with 10^6 rows).
 * A second connection may checkpoint while the first one writes (PASSIVE never blocks a
 * writer), so a worker does it every `everyMs` and the service's own connection keeps
 * `wal_autocheckpoint` only as a backstop, should the worker fall behind or fail.
 */
export interface Checkpointer {
  close(): Promise<void>;
}

// Plain JavaScript, evaluated as the worker's module: better-sqlite3 loads in workers.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick retries */ }
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort.postMessage('closed');
});
`;

export function startCheckpointer(file: string, sqlitePath: string, everyMs = 500): Checkpointer {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { file, sqlitePath, everyMs },
    // A small heap: the worker only runs one pragma.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
  });
  worker.unref();
  // A failed worker leaves checkpoints to SQLite's backstop; nothing else depends on it.
  worker.on('error', () => undefined);
  return {
    async close() {
      if (worker.threadId < 0) return;
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        worker.once('exit', done);
        worker.once('message', () => void worker.terminate().then(done, done));
        worker.postMessage('close');
        setTimeout(() => void worker.terminate().then(done, done), 2000).unref();
      });
    },
  };
}
