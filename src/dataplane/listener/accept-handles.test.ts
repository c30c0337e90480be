import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { AcceptHandles } from './accept-handles.js';

async function listening(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Resolves with the error code of a connection attempt ('' when it connected). */
async function tryConnect(port: number): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return '';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  } finally {
    socket.destroy();
  }
}

describe('AcceptHandles', () => {
  it('accepts on the extra descriptors for the main server, and stops listening once closed', async () => {
    const accepted: Socket[] = [];
    const main = createServer((socket) => {
      accepted.push(socket);
      socket.end('hello');
    });
    const port = await listening(main);
    const handles = new AcceptHandles(main);
    await handles.open(3);
    assert.equal(handles.count, 4);

    // With the main descriptor closed, only the extra ones can accept: connections still reach
    // the main server's 'connection' listeners.
    main.close();
    const client = connect(port, '127.0.0.1');
    let received = '';
    client.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    await once(client, 'end');
    assert.equal(received, 'hello');
    assert.equal(accepted.length, 1);
    client.destroy();

    handles.close();
    assert.equal(handles.count, 1);
    assert.equal(await tryConnect(port), 'ECONNREFUSED');
  });

  it('serves several servers opening at once', async () => {
    const servers = [createServer(), createServer(), createServer()];
    await Promise.all(servers.map(listening));
    const handles = servers.map((server) => new AcceptHandles(server));
    await Promise.all(handles.map((h, i) => h.open(i + 1)));
    assert.deepEqual(
      handles.map((h) => h.count),
      [2, 3, 4],
    );
    for (const [i, server] of servers.entries()) {
      server.close();
      handles[i]?.close();
    }
  });

  it('leaves a server without a listening descriptor alone', async () => {
    const server = createServer();
    const handles = new AcceptHandles(server);
    await handles.open(3);
    assert.equal(handles.count, 1);
  });

  it('closes descriptors that arrive after close()', async () => {
    const main = createServer((socket) => socket.destroy());
    const port = await listening(main);
    const handles = new AcceptHandles(main);
    const opening = handles.open(2);
    handles.close();
    main.close();
    await opening;
    assert.equal(handles.count, 1);
    assert.equal(await tryConnect(port), 'ECONNREFUSED');
  });
});
