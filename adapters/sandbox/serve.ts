/**
 * Serves a simulator's Hono app on loopback (Node only): used by sandbox mode and by the
 * end-to-end tests. Port 0 picks a free port.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

/** What is served: a Hono app, or any fetch handler in front of one. */
export interface Servable {
  fetch(request: Request): Response | Promise<Response>;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function serveOnLoopback(app: Servable, port = 0): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: (request: Request) => app.fetch(request), hostname: '127.0.0.1', port },
      (info: AddressInfo) => {
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              // Keep-alive sockets would hold close() open; end them.
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        });
      },
    );
    // A fixed port already taken (another `npm run simulators`) fails the start, not hangs it.
    server.once('error', reject);
  });
}
