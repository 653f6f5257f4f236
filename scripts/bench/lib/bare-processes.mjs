// A bare baseline server run as BENCH_PROCESSES processes (node:cluster), so that
// `npm run bench -- --processes N` compares N app processes with N bare ones. `listen(server)`
// makes the server listen on a free port of 127.0.0.1 and prints `listening <port>` once every
// process is listening (the processes of a cluster share the port listen(0) gave the first).
import cluster from 'node:cluster';

const count = Math.max(1, Number(process.env.BENCH_PROCESSES ?? 1) || 1);

/**
 * Runs `makeServer()` (returning a node:http server, not yet listening) in each process.
 * @param {() => import('node:http').Server | Promise<import('node:http').Server>} makeServer
 */
export async function serveBare(makeServer) {
  if (count > 1 && cluster.isPrimary) {
    let listening = 0;
    cluster.on('listening', (_worker, address) => {
      if (++listening === count) process.stdout.write(`listening ${address.port}\n`);
    });
    for (let i = 0; i < count; i++) cluster.fork();
    process.on('SIGTERM', () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      process.exit(0);
    });
    return;
  }
  const server = await makeServer();
  server.listen(0, '127.0.0.1', () => {
    if (count === 1) process.stdout.write(`listening ${server.address().port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
