// The metadata an API server maintains, kept for objects that come from files: a uid and a
// creationTimestamp fixed when an object is first seen (a creationTimestamp written in the file
// wins), a resourceVersion that changes whenever the object does, and a generation that starts
// at 1 and goes up when the object's desired state changes (the spec of Gateway API kinds;
// anything but metadata, or labels, for EndpointSlices; kinds without one get none). An object
// that disappears and comes back is a new object, as after a delete and create. Only digests of
// an object's content are kept to tell whether it changed, not the content itself: with 10,000
// objects the JSON texts were more memory than the objects.

import { createHash, randomUUID } from 'node:crypto';
import { GATEWAY_GROUP } from '../../resources/kinds.js';
import type { KubeObject } from '../../resources/types.js';

interface Tracked {
  uid: string;
  creationTimestamp: string;
  generation: number;
  resourceVersion: string;
  /** Digest of the object as decoded (before stamping), to tell whether it changed. */
  content: string;
  /** Digest of what a change of bumps the generation. */
  desired: string;
  stamped: KubeObject;
}

export class MetadataTracker {
  private readonly tracked = new Map<string, Tracked>();
  private version = 0;

  /**
   * The object with server-maintained metadata; the same instance as last time when nothing
   * changed, a new one otherwise (stamped objects are never modified).
   */
  stamp(key: string, group: string, object: KubeObject, now: Date = new Date()): KubeObject {
    const content = digest(stableJson(object));
    const previous = this.tracked.get(key);
    if (previous?.content === content) return previous.stamped;
    const desiredJson = stableJson(desiredState(group, object));
    const hasGeneration = desiredJson !== 'null';
    const desired = digest(desiredJson);
    const generation = !previous ? 1 : previous.generation + (previous.desired === desired ? 0 : 1);
    const uid = previous?.uid ?? newUid();
    const creationTimestamp =
      object.metadata.creationTimestamp ?? previous?.creationTimestamp ?? rfc3339(now);
    const resourceVersion = String(++this.version);
    // Object.assign, not `{ ...a, b }`: on Node 20 every object built by a spread followed by more
    // properties gets a hidden class of its own, which costs memory for each of 10,000 objects.
    const metadata = Object.assign({}, object.metadata, {
      uid,
      resourceVersion,
      creationTimestamp,
      ...(hasGeneration ? { generation } : {}),
    });
    const stamped: KubeObject = Object.assign({}, object, { metadata });
    this.tracked.set(key, { uid, creationTimestamp, generation, resourceVersion, content, desired, stamped });
    return stamped;
  }

  /** Forgets objects not in `present` (deleted): seeing them again makes new objects. */
  retain(present: ReadonlySet<string>): void {
    for (const key of this.tracked.keys()) {
      if (!present.has(key)) this.tracked.delete(key);
    }
  }
}

/** The part of an object whose change bumps metadata.generation, or null for none. */
function desiredState(group: string, object: KubeObject): unknown {
  const o = object as KubeObject & Record<string, unknown>;
  if (group === GATEWAY_GROUP) return o.spec ?? {};
  if (object.kind === 'EndpointSlice') {
    const { metadata, ...rest } = o;
    return { ...rest, labels: metadata.labels ?? {} };
  }
  return null;
}

/**
 * A random UUID as one flat string: randomUUID() joins about twenty pieces that stay linked in
 * memory (about 400 bytes more per uid, kept for the object's life).
 */
function newUid(): string {
  return Buffer.from(randomUUID(), 'latin1').toString('latin1');
}

/** RFC 3339 with second precision, as Kubernetes writes timestamps (one flat string). */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A short digest of `text`: equal texts, equal digests. */
export function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** JSON with object keys sorted, so reordering keys in a file is not a change. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
