// What the kubelet stand-in reads from a pod template: supported images and modes, ReplicaSet-
// style pod names, and the environment with the downward API and secret volume files resolved.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkGoServerIdentity } from './go-tls.js';
import type { AnyObject } from './kube.js';
import { containerEnv, podName, podTemplate, templateHash, unsupportedReason } from './pod-spec.js';

function deployment(env: unknown[], image = 'registry.k8s.io/gateway-api/echo-basic:v1.5.1'): AnyObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'tls-backend', namespace: 'infra' },
    spec: {
      template: {
        metadata: { labels: { app: 'tls-backend' } },
        spec: {
          containers: [
            { name: 'c', image, env, volumeMounts: [{ name: 'v', mountPath: '/etc/secret-volume' }] },
          ],
          volumes: [{ name: 'v', secret: { secretName: 'cert', items: [{ key: 'tls.crt', path: 'crt' }] } }],
        },
      },
    },
  };
}

describe('pod templates', () => {
  it('resolves the downward API and files of secret volumes', () => {
    const template = podTemplate(
      deployment([
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'TLS_SERVER_CERT', value: '/etc/secret-volume/crt' },
      ]),
    )!;
    const data = { 'tls.crt': Buffer.from('PEM').toString('base64') };
    const env = containerEnv(template, { name: 'p', namespace: 'infra', ip: '198.18.0.2' }, () => data);
    assert.deepEqual(env, { POD_NAME: 'p', NAMESPACE: 'infra', TLS_SERVER_CERT: 'PEM' });
  });

  it('runs only echo-basic in HTTP mode', () => {
    assert.equal(unsupportedReason(podTemplate(deployment([]))!), undefined);
    assert.match(
      unsupportedReason(podTemplate(deployment([{ name: 'GRPC_ECHO_SERVER', value: '1' }]))!) ?? '',
      /GRPC_ECHO_SERVER/,
    );
    assert.match(unsupportedReason(podTemplate(deployment([], 'coredns:1'))!) ?? '', /not echo-basic/);
  });

  it('names pods <deployment>-<hash>-<suffix>, so dropping two parts gives the deployment', () => {
    const name = podName('infra-backend-v1', templateHash(deployment([])));
    assert.match(name, /^infra-backend-v1-[a-z0-9]{10}-[a-z0-9]{5}$/);
    assert.equal(name.split('-').slice(0, -2).join('-'), 'infra-backend-v1');
  });
});

describe('checkGoServerIdentity', () => {
  const cert = { subjectaltname: 'DNS:*, DNS:*.org, IP Address:127.0.0.1' } as never;

  it('matches a leading wildcard against exactly one label, as Go does', () => {
    assert.equal(checkGoServerIdentity('example.org', cert), undefined);
    assert.ok(checkGoServerIdentity('a.example.org', cert) instanceof Error);
    assert.equal(checkGoServerIdentity('127.0.0.1', cert), undefined);
    assert.ok(checkGoServerIdentity('127.0.0.2', cert) instanceof Error);
  });
});
