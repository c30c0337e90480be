import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { directWrites, SocketWriter } from './socket-writer.js';

/** A connected pair over loopback: `server` is the accepted side. */
async function pair(listener: Server): Promise<{ server: Socket; client: Socket }> {
  const address = listener.address() as { port: number };
  const accepted = once(listener, 'connection');
  const client = connect({ host: '127.0.0.1', port: address.port });
  await once(client, 'connect');
  const [server] = (await accepted) as [Socket];
  return { server, client };
}

/** Reads `client` until `length` bytes have come (the socket stays open). */
function readAll(client: Socket, length: number): Promise<string> {
  const chunks: Buffer[] = [];
  let received = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < length) return;
      client.off('data', onData);
      client.off('error', reject);
      client.pause();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    client.on('data', onData);
    client.once('error', reject);
    client.resume();
  });
}

describe('SocketWriter', () => {
  let listener: Server;
  before(async () => {
    listener = createServer();
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
  });
  after(() => listener.close());

  it('takes the direct path on this runtime', () => {
    assert.equal(directWrites, true);
  });

  for (const direct of [true, false]) {
    it(`${direct ? 'direct' : 'through socket.write'}: a reader that stalls gets every byte, in order, and drain is told`, async () => {
      const { server, client } = await pair(listener);
      client.pause();
      const writer = new SocketWriter(server, direct);
      // Strings and Buffers interleaved, far more than the socket buffers hold, until backpressure.
      const pieces: string[] = [];
      let ok = true;
      let sawPending = false;
      let n = 0;
      while (ok && n < 10_000) {
        const piece = `${String(n).padStart(6, '0')}:${'x'.repeat(8000)}\n`;
        pieces.push(piece);
        ok = n % 3 === 2 ? server.write(Buffer.from(piece, 'latin1')) && writer.idle : writer.write(piece);
        sawPending ||= !writer.idle;
        n++;
      }
      assert.equal(ok, false, 'backpressure was reported');
      assert.equal(sawPending, direct, 'direct writes the kernel could not take wait in libuv');
      const drained = new Promise<void>((resolve) => writer.onceDrain(resolve));
      const expected = pieces.join('');
      const received = await readAll(client, expected.length);
      await drained;
      assert.equal(received.length, expected.length);
      assert.ok(received === expected, 'bytes arrive in the order written');
      assert.equal(writer.write('after drain\n'), true);
      assert.equal(await readAll(client, 12), 'after drain\n');
      server.destroy();
      client.destroy();
    });
  }

  it('a write to a connection the peer reset destroys the socket instead of throwing', async () => {
    const { server, client } = await pair(listener);
    client.resetAndDestroy();
    await once(server, 'error').catch(() => undefined);
    const writer = new SocketWriter(server);
    const closed = server.destroyed ? Promise.resolve() : once(server, 'close');
    for (let i = 0; i < 5 && !server.destroyed; i++) writer.write('x'.repeat(100_000));
    await closed;
    assert.equal(server.destroyed, true);
  });
});
