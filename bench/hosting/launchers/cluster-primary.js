// node:cluster primary for the benchmark's variant (b): `node cluster-primary.js <app script> <workers> <port>`.
// Default scheduling (SCHED_RR on Linux: the primary accepts and hands connections to workers round robin).
// Prints "ready at http://127.0.0.1:<port>/" once every worker listens; re-forks a worker that dies;
// on SIGTERM/SIGINT stops its workers and exits.
import cluster from 'node:cluster';

const [script, count = '2', port] = process.argv.slice(2);
if (!script || !port) {
  console.error('usage: node cluster-primary.js <app script> <workers> <port>');
  process.exit(2);
}
const workers = Number(count);
let listening = 0;
let stopping = false;

cluster.setupPrimary({ exec: script });
const fork = () => cluster.fork({ PORT: port });
for (let i = 0; i < workers; i++) fork();

cluster.on('listening', () => {
  listening += 1;
  if (listening === workers) console.log(`ready at http://127.0.0.1:${port}/`);
});
cluster.on('exit', (worker, code, signal) => {
  if (stopping) return;
  console.error(`worker ${worker.process.pid} exited (${signal ?? code}); forking another`);
  fork();
});

const stop = () => {
  if (stopping) return;
  stopping = true;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  setTimeout(() => process.exit(0), 2000).unref();
  cluster.disconnect(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
