/**
 * A loopback TCP relay in front of a server, so that the fault harness can take the server
 * "down" for a while without losing its in-memory data: `down()` closes every relayed connection
 * and stops listening (clients see connection resets, then refused connections), `up()` listens
 * again. The server process itself keeps running (the MongoDB stand-in in test mode and Redis
 * without persistence would lose everything on a real stop).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class FaultProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly listenPort: number,
    readonly targetPort: number,
    readonly host = '127.0.0.1',
  ) {}

  get isUp(): boolean {
    return this.server !== undefined;
  }

  /** Starts listening (idempotent). */
  async up(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Resets every relayed connection and stops listening (idempotent). */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = createConnection({ host: this.host, port: this.targetPort });
    const pair = [client, upstream];
    for (const socket of pair) {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        for (const other of pair) if (other !== socket && !other.destroyed) other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
