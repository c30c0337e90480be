// The child process behind accept-handles.ts: for each request it receives (an id, a count and a
// listening socket's handle over IPC) it sends the handle back `count` times, so that the parent
// holds that many more descriptors of the same socket (each pass through IPC duplicates the
// descriptor, SCM_RIGHTS), then closes its own copy and says `done`: from then on, only the
// parent keeps the socket open. It never listens or accepts, and exits once the parent disconnects.

interface EchoRequest {
  id: number;
  count: number;
}

process.on('message', ({ id, count }: EchoRequest, handle: { close(): void } | undefined) => {
  if (handle === undefined) return;
  let left = count;
  const sendNext = (): void => {
    if (left === 0) {
      handle.close();
      process.send?.({ id, done: true });
      return;
    }
    left -= 1;
    process.send?.({ id, done: false }, handle as never, {}, sendNext);
  };
  sendNext();
});
