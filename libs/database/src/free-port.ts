import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (for throwaway servers in tests and benchmarks). */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}
