import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { componentLogger } from './logger.js';
import { captureLogger } from './testing.js';

describe('logger', () => {
  it('writes one JSON line with time, level, component and fields', () => {
    const { logger, lines } = captureLogger();
    componentLogger(logger, 'pipeline').info({ generation: 3 }, 'configuration applied');
    assert.equal(lines.length, 1);
    const { time, ...rest } = lines[0] as Record<string, unknown>;
    assert.match(String(time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(rest, { level: 30, component: 'pipeline', generation: 3, msg: 'configuration applied' });
  });

  it('replaces the component of a component logger and keeps its other bindings', () => {
    const { logger, lines } = captureLogger();
    const scoped = componentLogger(logger, 'provider').child({ kind: 'Gateway' });
    componentLogger(scoped, 'provider.kubernetes').warn({ resource: 'default/edge' }, 'watch restarted');
    assert.equal(lines.length, 1);
    const raw = JSON.stringify(lines[0]);
    assert.equal(raw.split('"component"').length - 1, 1);
    assert.deepEqual(
      { component: lines[0]?.component, kind: lines[0]?.kind, resource: lines[0]?.resource },
      { component: 'provider.kubernetes', kind: 'Gateway', resource: 'default/edge' },
    );
  });

  it('keeps the level of the logger whose component it replaces', () => {
    const { logger, lines } = captureLogger({ level: 'warn' });
    const scoped = componentLogger(componentLogger(logger, 'a'), 'b');
    scoped.info('dropped');
    scoped.warn('kept');
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['kept'],
    );
  });

  it('renders the text format as time LEVEL [component] msg key=value', () => {
    const { logger, lines } = captureLogger({ format: 'text' });
    componentLogger(logger, 'drain').info({ connections: 2, reason: 'SIGTERM' }, 'draining');
    assert.match(
      String(lines[0]?.text),
      /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO \[drain\] draining connections=2 reason=SIGTERM$/,
    );
  });
});
