// What happens around deletion and concurrency beyond single requests: the garbage collector
// deletes objects whose owners are gone, deletecollection honours selectors, a Lease update race
// ends in the group-qualified Conflict a leader elector sees, and Service updates keep their
// allocated cluster IP.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { raw, rejection, startWatch } from './harness.js';
import { type ApiServer, startApiServer } from './server.js';

let server: ApiServer;
let core: CoreV1Api;

before(async () => {
  server = await startApiServer();
  core = server.kubeconfig.config.makeApiClient(CoreV1Api);
});
after(() => server.stop());

describe('lifecycle', () => {
  it('garbage-collects an object once its owner is deleted', async () => {
    const apps = server.kubeconfig.config.makeApiClient(AppsV1Api);
    const owner = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'owner' },
        spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } } } },
      },
    });
    const ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'owner', uid: owner.metadata?.uid ?? '' },
    ];
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'owned', ownerReferences } },
    });
    const watch = await startWatch(server.kubeconfig.config, '/api/v1/namespaces/default/configmaps', {
      fieldSelector: 'metadata.name=owned',
      resourceVersion: server.resourceVersion(),
    });
    await apps.deleteNamespacedDeployment({ name: 'owner', namespace: 'default' });
    await watch.log.until((l) => l.names('DELETED').includes('owned'), 'the dependent to be collected');
    watch.abort();
  });

  it('deletes a collection by label selector', async () => {
    for (const [name, team] of [
      ['x1', 'x'],
      ['x2', 'x'],
      ['y1', 'y'],
    ]) {
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name, labels: { team: team! } } },
      });
    }
    await core.deleteCollectionNamespacedConfigMap({ namespace: 'default', labelSelector: 'team=x' });
    const left = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'team' });
    assert.deepEqual(
      left.items.map((i) => i.metadata?.name),
      ['y1'],
    );
  });

  it('answers the loser of a Lease update race with the group-qualified Conflict', async () => {
    const coordination = server.kubeconfig.config.makeApiClient(CoordinationV1Api);
    const lease = await coordination.createNamespacedLease({
      namespace: 'default',
      body: { metadata: { name: 'election' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } },
    });
    const spec = (holderIdentity: string) => ({ ...lease.spec, holderIdentity });
    await coordination.replaceNamespacedLease({
      name: 'election',
      namespace: 'default',
      body: { ...lease, spec: spec('b') },
    });
    const lost = await rejection(
      coordination.replaceNamespacedLease({
        name: 'election',
        namespace: 'default',
        body: { ...lease, spec: spec('c') },
      }),
      409,
    );
    assert.equal(
      lost.message,
      'Operation cannot be fulfilled on leases.coordination.k8s.io "election": the object has been modified; please apply your changes to the latest version and try again',
    );
    assert.deepEqual(lost.details, { name: 'election', group: 'coordination.k8s.io', kind: 'leases' });
  });

  it('keeps a Service cluster IP and node ports across an update that omits them', async () => {
    const created = await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }] } },
    });
    const nodePort = created.spec?.ports?.[0]?.nodePort;
    assert.ok(nodePort && nodePort >= 30000);
    const res = await raw(server, 'PUT', '/api/v1/namespaces/default/services/lb', {
      metadata: { name: 'lb', resourceVersion: created.metadata?.resourceVersion },
      spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }], selector: { app: 'x' } },
    });
    assert.equal(res.status, 200);
    const updated = res.body as { spec: { clusterIP: string; ports: { nodePort: number }[] } };
    assert.equal(updated.spec.clusterIP, created.spec?.clusterIP);
    assert.equal(updated.spec.ports[0]?.nodePort, nodePort);
  });
});
