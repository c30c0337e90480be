import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  BackendTLSPolicy,
  Condition,
  Gateway,
  HTTPRoute,
  RouteParentStatus,
} from '../../resources/types.js';
import { nextGatewayStatus, nextPolicyStatus, nextRouteStatus } from './desired.js';

const OURS = 'gatehouse.dev/gateway-controller';
const accepted = (status: 'True' | 'False' = 'True'): Condition => ({
  type: 'Accepted',
  status,
  reason: status === 'True' ? 'Accepted' : 'NotAllowedByListeners',
  message: '',
  observedGeneration: 1,
});

function route(parents: RouteParentStatus[]): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'ns', generation: 1 },
    spec: {},
    status: { parents },
  };
}

const entry = (name: string, controllerName: string, c: Condition, time = 'T0'): RouteParentStatus => ({
  parentRef: { name },
  controllerName,
  conditions: [{ ...c, lastTransitionTime: time }],
});

test('route: our entries are replaced, other controllers’ entries kept as they are', () => {
  const theirs = entry('their-gw', 'example.com/other', accepted(), 'OLD');
  const current = route([theirs, entry('gw', OURS, accepted())]);
  const next = nextRouteStatus(current, [entry('gw', OURS, accepted('False'))], OURS, 'T1');
  assert.deepEqual(next?.parents[0], theirs);
  assert.equal(next?.parents.length, 2);
  assert.equal(next?.parents[1]?.conditions[0]?.status, 'False');
  assert.equal(next?.parents[1]?.conditions[0]?.lastTransitionTime, 'T1');
});

test('route: nothing to write when our entries already say the same; time kept while status holds', () => {
  const current = route([entry('gw', OURS, accepted(), 'T0')]);
  assert.equal(nextRouteStatus(current, [entry('gw', OURS, accepted(), 'ignored')], OURS, 'T1'), undefined);
  const reworded = { ...accepted(), message: 'now with words' };
  const next = nextRouteStatus(current, [entry('gw', OURS, reworded)], OURS, 'T1');
  assert.equal(next?.parents[0]?.conditions[0]?.lastTransitionTime, 'T0');
});

test('route: entries for parents we no longer serve are removed; none left means none of ours', () => {
  const current = route([entry('old-gw', OURS, accepted()), entry('x', 'example.com/other', accepted())]);
  const next = nextRouteStatus(current, [], OURS, 'T1');
  assert.deepEqual(
    next?.parents.map((p) => p.parentRef.name),
    ['x'],
  );
  assert.equal(nextRouteStatus(route([]), [], OURS, 'T1'), undefined);
});

test('gateway: listener and gateway conditions keep their time; defaulted supportedKinds group is no change', () => {
  const gw: Gateway = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'ns', generation: 1 },
    spec: { gatewayClassName: 'c', listeners: [] },
    status: {
      conditions: [{ ...accepted(), lastTransitionTime: 'T0' }],
      listeners: [
        {
          name: 'http',
          attachedRoutes: 1,
          supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
          conditions: [{ ...accepted(), lastTransitionTime: 'T0' }],
        },
      ],
    },
  };
  const desired = {
    conditions: [accepted()],
    listeners: [
      { name: 'http', attachedRoutes: 1, supportedKinds: [{ kind: 'HTTPRoute' }], conditions: [accepted()] },
    ],
  };
  assert.equal(nextGatewayStatus(gw, desired, 'T1'), undefined);
  const more = { ...desired, listeners: [{ ...desired.listeners[0]!, attachedRoutes: 2 }] };
  const next = nextGatewayStatus(gw, more, 'T1');
  assert.equal(next?.listeners?.[0]?.attachedRoutes, 2);
  assert.equal(next?.listeners?.[0]?.conditions[0]?.lastTransitionTime, 'T0');
  assert.equal(next?.conditions?.[0]?.lastTransitionTime, 'T0');
  assert.equal(next?.addresses, undefined, 'addresses are left alone when not computed');
});

test('policy: our ancestor entries are replaced, other controllers’ kept; unchanged means no write', () => {
  const ancestor = (name: string, controllerName: string, c: Condition, time = 'T0') => ({
    ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'ns', name },
    controllerName,
    conditions: [{ ...c, lastTransitionTime: time }],
  });
  const theirs = ancestor('their-gw', 'example.com/other', accepted(), 'OLD');
  const current: BackendTLSPolicy = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'BackendTLSPolicy',
    metadata: { name: 'p', namespace: 'ns', generation: 1 },
    spec: { targetRefs: [], validation: { hostname: 'a.example' } },
    status: { ancestors: [theirs, ancestor('gw', OURS, accepted())] },
  };
  assert.equal(
    nextPolicyStatus(current, [ancestor('gw', OURS, accepted(), 'ignored')], OURS, 'T1'),
    undefined,
  );
  const next = nextPolicyStatus(current, [ancestor('gw', OURS, accepted('False'))], OURS, 'T1');
  assert.deepEqual(next?.ancestors[0], theirs);
  assert.equal(next?.ancestors[1]?.conditions[0]?.lastTransitionTime, 'T1');
  assert.deepEqual(nextPolicyStatus(current, [], OURS, 'T1')?.ancestors, [theirs]);
});
