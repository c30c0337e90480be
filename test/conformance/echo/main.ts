/**
 * The echo server as a process: `node dist/test/conformance/echo/main.js`, configured by the
 * environment like upstream's echo-basic image (see config.ts). SIGTERM and SIGINT close it
 * cleanly. With ECHO_EXIT_ON_STDIN_END=1 it also exits when its stdin ends, so a pod whose parent
 * dies (even by SIGKILL) does not outlive it.
 */
import { echoOptionsFromEnv } from './config.js';
import { startEcho } from './server.js';

async function main(): Promise<void> {
  const server = await startEcho(echoOptionsFromEnv(process.env));
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  if (process.env.ECHO_EXIT_ON_STDIN_END === '1') {
    process.stdin.on('end', shutdown);
    process.stdin.on('error', shutdown);
    process.stdin.resume();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `echo server failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
