import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';

/**
 * The service's one HTTP listener: the container's liveness probe, and whatever is mounted —
 * Slack's receiver at /slack/events; POST /aws/events, /readyz and /metrics as they arrive.
 */
export interface HttpService {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** A handler for one path prefix; it owns the request from there on. */
export type Mount = { path: string; handler: RequestListener };

export async function startHttpServer(
  port: number,
  log: Logger,
  mounts: Mount[] = [],
): Promise<HttpService> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"ok"}');
      return;
    }
    const mount = mounts.find((m) => path === m.path);
    if (mount) {
      mount.handler(request, response);
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end('{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  log.info({ port: bound }, 'http listening');
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
