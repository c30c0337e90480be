// Status matching as upstream's helpers do it: generations, conditions, route parents (with the
// namespace rule) and listener status compared as a set.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  conditionsMatch,
  gatewayParentRef,
  latestGeneration,
  listenersMatch,
  parentsMatch,
} from './status.js';

const accepted = { type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 2 };

describe('status matching', () => {
  it('wants every condition at the latest generation', () => {
    assert.equal(latestGeneration(2, [accepted]), true);
    assert.match(String(latestGeneration(3, [accepted])), /stale conditions are: Accepted \(generation 2\)/);
  });

  it('matches expected conditions as a subset, an empty reason matching any', () => {
    assert.equal(conditionsMatch([{ type: 'Accepted', status: 'True' }], [accepted]), true);
    assert.notEqual(
      conditionsMatch([{ type: 'Accepted', status: 'True', reason: 'Other' }], [accepted]),
      true,
    );
  });

  it('ignores a missing parentRef namespace unless the namespace is required', () => {
    const { namespace: _ns, ...withoutNamespace } = gatewayParentRef('infra', 'gw');
    const actual = [{ parentRef: withoutNamespace, controllerName: 'c', conditions: [accepted] }];
    const wanted = [
      {
        parentRef: gatewayParentRef('infra', 'gw'),
        controllerName: 'c',
        conditions: [{ type: 'Accepted', status: 'True' }],
      },
    ];
    assert.equal(parentsMatch(wanted, actual, false), true);
    assert.notEqual(parentsMatch(wanted, actual, true), true);
    assert.notEqual(parentsMatch(wanted, [{ ...actual[0]!, controllerName: 'other' }], false), true);
  });

  it('compares listener status as a set with exact attachedRoutes', () => {
    const listener = {
      name: 'http',
      supportedKinds: [{ kind: 'HTTPRoute' }],
      attachedRoutes: 1,
      conditions: [accepted],
    };
    const extraKind = { ...listener, supportedKinds: [{ kind: 'HTTPRoute' }, { kind: 'GRPCRoute' }] };
    assert.equal(listenersMatch([listener], [extraKind]), true);
    assert.match(
      String(listenersMatch([listener], [{ ...listener, attachedRoutes: 2 }])),
      /attachedRoutes 1, got 2/,
    );
    assert.match(String(listenersMatch([listener], [])), /expected 1 Gateway status listeners, got 0/);
    assert.match(
      String(listenersMatch([{ ...listener, supportedKinds: [] }], [listener])),
      /expected no supportedKinds/,
    );
  });
});
