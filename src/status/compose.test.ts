import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Condition } from '../resources/types.js';
import type { StatusUpdate } from '../translator/types.js';
import { composeStatuses, statusKey } from './compose.js';
import { capMessage, sameConditions, stampConditions } from './conditions.js';

const accepted: Condition = {
  type: 'Accepted',
  status: 'True',
  reason: 'Accepted',
  message: 'ok',
  observedGeneration: 1,
};

function gateway(listeners = [{ name: 'http', conditions: [accepted] }]): StatusUpdate {
  return {
    kind: 'Gateway',
    namespace: 'ns',
    name: 'gw',
    generation: 1,
    status: {
      conditions: [accepted, { ...accepted, type: 'Programmed', reason: 'Programmed' }],
      listeners: listeners.map((l) => ({ ...l, attachedRoutes: 0, supportedKinds: [{ kind: 'HTTPRoute' }] })),
    },
  };
}

test('a condition keeps its lastTransitionTime while its status holds, and gets a new one when it flips', () => {
  const first = stampConditions([accepted], undefined, 'T1');
  assert.equal(first[0]?.lastTransitionTime, 'T1');
  const same = stampConditions([{ ...accepted, message: 'still ok' }], first, 'T2');
  assert.equal(same[0]?.lastTransitionTime, 'T1');
  const flipped = stampConditions([{ ...accepted, status: 'False', reason: 'Invalid' }], same, 'T3');
  assert.equal(flipped[0]?.lastTransitionTime, 'T3');
});

test('sameConditions ignores order and timestamps but not reason, message or generation', () => {
  const a = stampConditions([accepted, { ...accepted, type: 'Programmed' }], undefined, 'T1');
  const b = stampConditions([{ ...accepted, type: 'Programmed' }, accepted], undefined, 'T2');
  assert.ok(sameConditions(a, b));
  assert.ok(!sameConditions(a, [accepted]));
  assert.ok(!sameConditions([accepted], [{ ...accepted, observedGeneration: 2 }]));
  assert.ok(!sameConditions([accepted], [{ ...accepted, reason: 'Other' }]));
});

test('messages over the API limit are truncated with a marker', () => {
  const long = 'x'.repeat(40000);
  const capped = capMessage(long);
  assert.ok(Buffer.byteLength(capped) <= 32768);
  assert.ok(capped.endsWith('(message truncated)'));
  assert.equal(capMessage('short'), 'short');
});

test('composeStatuses reports bound addresses and marks listeners whose port failed', () => {
  const [out] = composeStatuses({
    updates: [
      gateway([
        { name: 'http', conditions: [accepted] },
        { name: 'admin', conditions: [accepted] },
      ]),
    ],
    report: {
      generation: 1,
      gateways: {
        'ns/gw': { addresses: ['127.0.0.5'], portErrors: [{ port: 81, message: 'listen EADDRINUSE' }] },
      },
    },
    previous: new Map(),
    now: 'T1',
    listenerPorts: new Map([
      [
        'ns/gw',
        new Map([
          ['http', 80],
          ['admin', 81],
        ]),
      ],
    ]),
  });
  assert.equal(out?.kind, 'Gateway');
  if (out?.kind !== 'Gateway') return;
  assert.deepEqual(out.status.addresses, [{ type: 'IPAddress', value: '127.0.0.5' }]);
  const http = out.status.listeners?.find((l) => l.name === 'http');
  const admin = out.status.listeners?.find((l) => l.name === 'admin');
  assert.equal(http?.conditions.find((c) => c.type === 'Accepted')?.status, 'True');
  const failed = admin?.conditions.find((c) => c.type === 'Accepted');
  assert.equal(failed?.reason, 'PortUnavailable');
  assert.match(failed?.message ?? '', /EADDRINUSE/);
  assert.equal(admin?.conditions.find((c) => c.type === 'Programmed')?.status, 'False');
  // One listener still works, so the Gateway as a whole stays Programmed.
  assert.equal(out.status.conditions?.find((c) => c.type === 'Programmed')?.status, 'True');
});

test('composeStatuses marks the Gateway not programmed when no port could be bound', () => {
  const [out] = composeStatuses({
    updates: [gateway()],
    report: {
      generation: 1,
      gateways: {
        'ns/gw': { addresses: [], portErrors: [{ port: 80, message: 'listen EADDRNOTAVAIL 10.9.9.9:80' }] },
      },
    },
    previous: new Map(),
    now: 'T1',
    listenerPorts: new Map([['ns/gw', new Map([['http', 80]])]]),
  });
  if (out?.kind !== 'Gateway') return assert.fail('expected a Gateway status');
  const programmed = out.status.conditions?.find((c) => c.type === 'Programmed');
  assert.equal(programmed?.status, 'False');
  assert.equal(programmed?.reason, 'AddressNotUsable');
});

test('composeStatuses keeps route parent condition times across generations of the pipeline', () => {
  const route = (message: string): StatusUpdate => ({
    kind: 'HTTPRoute',
    namespace: 'ns',
    name: 'r',
    generation: 1,
    status: {
      parents: [{ parentRef: { name: 'gw' }, controllerName: 'c', conditions: [{ ...accepted, message }] }],
    },
  });
  const [first] = composeStatuses({ updates: [route('a')], previous: new Map(), now: 'T1' });
  assert.ok(first);
  const [second] = composeStatuses({
    updates: [route('b')],
    previous: new Map([[statusKey(first), first]]),
    now: 'T2',
  });
  if (second?.kind !== 'HTTPRoute') return assert.fail('expected a route status');
  assert.equal(second.status.parents[0]?.conditions[0]?.lastTransitionTime, 'T1');
  assert.equal(second.status.parents[0]?.conditions[0]?.message, 'b');
});
