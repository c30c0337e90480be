import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RedirectActionIR } from '../../ir/types.js';
import { type RedirectRequest, redirectLocation } from './redirect.js';

function location(action: Omit<RedirectActionIR, 'type' | 'statusCode'>, req: Partial<RedirectRequest>) {
  const request: RedirectRequest = {
    scheme: 'http',
    host: 'gw.test',
    listenerPort: 80,
    path: '/p',
    query: '',
    prefix: undefined,
    ...req,
  };
  return redirectLocation({ type: 'redirect', statusCode: 302, ...action }, request);
}

describe('redirectLocation', () => {
  it('keeps the listener port when neither scheme nor port is configured', () => {
    assert.equal(location({ hostname: 'example.org' }, {}), 'http://example.org/p');
    assert.equal(location({ hostname: 'example.org' }, { listenerPort: 8080 }), 'http://example.org:8080/p');
    assert.equal(
      location({ hostname: 'example.org' }, { scheme: 'https', listenerPort: 443 }),
      'https://example.org/p',
    );
  });

  it('uses the well-known port of a configured scheme', () => {
    assert.equal(location({ scheme: 'https' }, { listenerPort: 8080 }), 'https://gw.test/p');
    assert.equal(location({ scheme: 'http' }, { scheme: 'https', listenerPort: 443 }), 'http://gw.test/p');
  });

  it('omits an explicit port only when it is the default of the scheme', () => {
    assert.equal(location({ port: 80 }, { listenerPort: 8080 }), 'http://gw.test/p');
    assert.equal(location({ port: 8080 }, {}), 'http://gw.test:8080/p');
    assert.equal(location({ scheme: 'https', port: 443 }, {}), 'https://gw.test/p');
    assert.equal(location({ scheme: 'https', port: 8443 }, {}), 'https://gw.test:8443/p');
    assert.equal(location({ port: 443 }, { scheme: 'https', listenerPort: 443 }), 'https://gw.test/p');
    assert.equal(location({ scheme: 'http', port: 8080 }, { scheme: 'https' }), 'http://gw.test:8080/p');
  });

  it('modifies the path and keeps the query', () => {
    assert.equal(
      location(
        { path: { type: 'ReplacePrefixMatch', value: '/replacement-prefix' } },
        { path: '/original-prefix/lemon', query: 'a=1', prefix: '/original-prefix' },
      ),
      'http://gw.test/replacement-prefix/lemon?a=1',
    );
    assert.equal(
      location({ path: { type: 'ReplaceFullPath', value: '/full' } }, { path: '/x/y' }),
      'http://gw.test/full',
    );
  });
});
