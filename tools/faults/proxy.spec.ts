import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { FaultProxy } from './proxy';

/** An echo server on an ephemeral port. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as AddressInfo).port };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function roundTrip(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (data: Buffer) => resolve(data.toString()));
    socket.write(text);
  });
}

describe('FaultProxy', () => {
  let echo: { server: Server; port: number };
  let proxy: FaultProxy;

  beforeEach(async () => {
    echo = await echoServer();
    proxy = new FaultProxy(await freePort(), echo.port);
  });
  afterEach(async () => {
    await proxy.down();
    await new Promise((resolve) => echo.server.close(resolve));
  });

  it('relays while up', async () => {
    await proxy.up();
    const socket = await connect(proxy.listenPort);
    expect(await roundTrip(socket, 'ping')).toBe('ping');
    socket.destroy();
  });

  it('resets open connections and refuses new ones while down, then relays again', async () => {
    await proxy.up();
    const socket = await connect(proxy.listenPort);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    await proxy.down();
    await closed;
    expect(proxy.isUp).toBe(false);
    await expect(connect(proxy.listenPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.up();
    const again = await connect(proxy.listenPort);
    expect(await roundTrip(again, 'back')).toBe('back');
    again.destroy();
  });

  it('is idempotent both ways', async () => {
    await proxy.up();
    await proxy.up();
    await proxy.down();
    await proxy.down();
    expect(proxy.isUp).toBe(false);
  });
});
