// The child process behind accept-handles.ts: it receives a listening socket's handle over IPC and
// sends it back `count` times, so that the parent holds that many more descriptors of the same
// socket (each pass through IPC duplicates the descriptor, SCM_RIGHTS). It never listens or
// accepts itself, and exits once the parent disconnects.

interface EchoRequest {
  count: number;
}

process.on('message', (request: EchoRequest, handle: { close(): void } | undefined) => {
  if (handle === undefined) return;
  let left = request.count;
  const sendNext = (): void => {
    if (left === 0) {
      handle.close();
      return;
    }
    left -= 1;
    process.send?.({ echo: true }, handle as never, {}, sendNext);
  };
  sendNext();
});
