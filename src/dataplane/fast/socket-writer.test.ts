import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
        ok = n % 3 === 2 ? writer.writeBytes(Buffer.from(piece, 'latin1')) : writer.write(piece);
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

  it('writes made in one pass of the event loop leave together, after it; flush() sends at once', async () => {
    // The reader runs in another process so it can read while this one is busy: with each write
    // sent as it was made, it would see three reads 30 ms apart.
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('node:net').connect(+process.argv[1], '127.0.0.1');
         const reads = [];
         s.on('data', (d) => reads.push(d.toString('latin1')));
         s.on('end', () => { process.stdout.write(JSON.stringify(reads)); s.end(); });`,
        String((listener.address() as { port: number }).port),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [server] = (await once(listener, 'connection')) as [Socket];
    let output = '';
    reader.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const writer = new SocketWriter(server);
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    for (const piece of ['one,', 'two,', 'three;']) {
      writer.write(piece);
      busy(30);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    writer.write('flushed');
    writer.flush();
    server.end();
    await once(reader, 'exit');
    assert.deepEqual(JSON.parse(output), ['one,two,three;', 'flushed']);
  });

  it('bytes held when the socket is ended without a flush are dropped, not an error', async () => {
    const { server, client } = await pair(listener);
    const errors: Error[] = [];
    server.on('error', (error) => errors.push(error));
    const writer = new SocketWriter(server);
    writer.write('held');
    server.end('ended');
    client.resume();
    let received = '';
    client.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    await once(client, 'end');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(received, 'ended');
    assert.deepEqual(errors, []);
    client.destroy();
  });

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
