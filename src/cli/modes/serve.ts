// `gatehouse serve -f <file|dir>`: standalone mode. The file provider feeds the pipeline, the
// data plane serves traffic — in this process (`--workers 1`) or in N worker processes that all
// apply each generation before it counts as live (runtime/workers.ts) — and the admin endpoint
// (on this process) reports health, readiness and status.
//
// Start order matters: the admin endpoint first (so /readyz can answer 503 while loading), then
// the data plane, then the provider (whose first snapshot makes the process ready). SIGTERM,
// SIGINT and POST /drain drain the traffic (see runtime/drain.ts), then the process exits.

import type { AdminServer } from '../../admin/server.js';
import { createDataPlane } from '../../dataplane/runtime.js';
import type { DataPlane } from '../../dataplane/types.js';
import { DemoBackends } from '../../demo/echo-backends.js';
import { registerResourceCounts, snapshotCounts } from '../../observability/controlplane-metrics.js';
import { componentLogger } from '../../observability/logger.js';
import { FileProvider } from '../../provider/file/provider.js';
import type { ResourceSnapshot } from '../../resources/kinds.js';
import { Pipeline } from '../../runtime/pipeline.js';
import { ClusterMetrics, WorkerPool } from '../../runtime/workers.js';
import type { ServeFlags } from '../commands/serve.js';
import { Operations } from './operations.js';

export async function serve(flags: ServeFlags): Promise<void> {
  const ops = new Operations(flags);
  const { root } = ops;
  const log = componentLogger(root, 'serve');
  const dataPlane = serveDataPlane(flags, ops);
  const pipeline = new Pipeline({
    translate: { controllerName: flags.controllerName },
    dataPlane,
    logger: componentLogger(root, 'pipeline'),
    observer: ops.pipelineObserver,
  });
  const demo = new DemoBackends(componentLogger(root, 'demo'));
  let latest: ResourceSnapshot | undefined;
  registerResourceCounts(ops.metrics, () => snapshotCounts(latest));
  const provider = new FileProvider({
    paths: flags.file,
    logger: root,
    onSnapshot: async (snapshot, info) => {
      latest = snapshot;
      await demo.reconcile(snapshot);
      await pipeline.submit(snapshot, info.firstChangeAt);
    },
  });
  let adminServer: AdminServer | undefined;
  const drain = ops.drainOnSignals(dataPlane, async () => {
    await provider.close();
    pipeline.close();
    await dataPlane.close();
    await demo.close();
    await adminServer?.close();
    log.info('stopped');
  });
  adminServer = await ops.startAdmin(pipeline, {
    drain,
    ...(dataPlane instanceof WorkerPool ? { metrics: new ClusterMetrics(ops.metrics, dataPlane) } : {}),
  });
  await provider.start();
}

/** With workers, each worker observes its own traffic (access log); see runtime/workers.ts. */
function serveDataPlane(flags: ServeFlags, ops: Operations): DataPlane {
  const options = {
    defaultBind: flags.bind,
    keepAliveTimeoutMs: flags.keepAliveTimeout,
    ...(flags.addressPool ? { addressPool: flags.addressPool } : {}),
  };
  if (flags.workers > 1) {
    return new WorkerPool({
      workers: flags.workers,
      dataPlane: options,
      log: { level: flags.logLevel, format: flags.logFormat },
      accessLog: flags.accessLog,
      logger: componentLogger(ops.root, 'workers'),
    });
  }
  return createDataPlane({
    ...options,
    logger: ops.root,
    ...(ops.dataPlaneObserver ? { observer: ops.dataPlaneObserver } : {}),
  });
}
