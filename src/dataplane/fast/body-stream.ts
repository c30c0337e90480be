// A fast-engine request body as a Readable, for the undici path (h2c clusters, mirrored
// requests): chunks are pushed as the parser delivers them, and the client connection stops being
// read while the stream's consumer is behind.

import { Readable } from 'node:stream';
import { type FastConnection, PAUSED_FOR_BODY_STREAM } from './connection.js';
import type { BodySink } from './request.js';

export class BodyStream extends Readable implements BodySink {
  constructor(private readonly connection: FastConnection) {
    super();
    // A client that leaves mid-body ends the stream with an error, as an IncomingMessage does.
    const onClientClose = () => {
      if (!this.readableEnded) this.destroy(new Error('client request body aborted'));
    };
    connection.socket.once('close', onClientClose);
    this.once('close', () => connection.socket.off('close', onClientClose));
  }

  write(chunk: Buffer): void {
    if (!this.push(chunk)) this.connection.pauseFor(PAUSED_FOR_BODY_STREAM);
  }

  end(): void {
    this.push(null);
  }

  override _read(): void {
    this.connection.resumeFor(PAUSED_FOR_BODY_STREAM);
  }
}
