/**
 * Applies upstream manifests the way the suite's Applier does (conformance/utils/kubernetes/
 * apply.go): every Gateway gets the suite's GatewayClass name, every GatewayClass the controller
 * name, and a Gateway whose spec.addresses hold the PLACEHOLDER_USABLE_ADDRS /
 * PLACEHOLDER_UNUSABLE_ADDRS values gets the configured addresses instead (entries of type
 * `test/fake-invalid-type` kept). An object that does not exist is created, one that exists is
 * updated; with cleanup, each is deleted when the test ends (base manifests are kept).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type AnyObject, type Kube, refName, refOf } from './kube.js';
import { MANIFEST_DIR } from './paths.js';
import type { T } from './t.js';

export interface GatewayAddress {
  type: string;
  value: string;
}

export interface ApplierOptions {
  gatewayClassName: string;
  controllerName: string;
  usableAddresses: readonly GatewayAddress[];
  unusableAddresses: readonly GatewayAddress[];
}

const USABLE = 'PLACEHOLDER_USABLE_ADDRS';
const UNUSABLE = 'PLACEHOLDER_UNUSABLE_ADDRS';
const FAKE_INVALID_TYPE = 'test/fake-invalid-type';

type Obj = Record<string, unknown>;

export class Applier {
  constructor(
    private readonly kube: Kube,
    private readonly options: ApplierOptions,
  ) {}

  /** The objects of a manifest (path relative to the conformance folder), prepared for applying. */
  async load(location: string): Promise<AnyObject[]> {
    const text = await readFile(join(MANIFEST_DIR, location), 'utf8');
    return parseAllDocuments(text)
      .map((doc) => doc.toJS() as AnyObject | null)
      .filter((obj): obj is AnyObject => obj !== null && Object.keys(obj).length > 0)
      .map((obj) => this.prepare(obj));
  }

  /** Applies a manifest file; with `cleanup`, registers the deletion of every object on `t`. */
  async apply(t: T, location: string, cleanup: boolean): Promise<AnyObject[]> {
    t.log(`Applying ${location}`);
    return this.applyObjects(t, await this.load(location), cleanup);
  }

  async applyObjects(t: T, objects: readonly AnyObject[], cleanup: boolean): Promise<AnyObject[]> {
    const applied: AnyObject[] = [];
    for (const obj of objects) {
      const ref = refOf(obj);
      const existing = await this.kube.get(ref);
      if (existing) {
        t.log(`Updating ${refName(ref)} ${obj.kind}`);
        const next = {
          ...obj,
          metadata: { ...obj.metadata, resourceVersion: existing.metadata.resourceVersion },
        };
        applied.push(await this.kube.update(next));
      } else {
        t.log(`Creating ${refName(ref)} ${obj.kind}`);
        applied.push(await this.kube.create(obj));
      }
      if (cleanup) {
        t.cleanup(async () => {
          t.log(`Deleting ${refName(ref)} ${obj.kind}`);
          await this.kube.delete(ref);
        });
      }
    }
    return applied;
  }

  private prepare(input: AnyObject): AnyObject {
    const obj = structuredClone(input);
    if (obj.kind === 'GatewayClass') {
      obj.spec = { ...(obj.spec as Obj), controllerName: this.options.controllerName };
    }
    if (obj.kind === 'Gateway') {
      const spec: Obj = { ...(obj.spec as Obj), gatewayClassName: this.options.gatewayClassName };
      const addresses = spec.addresses as GatewayAddress[] | undefined;
      if (addresses && addresses.length > 0) {
        // As upstream: the list is rebuilt from the special entries and the overlays only, so a
        // plain entry (e.g. an IPAddress with no value) is dropped; an empty result is null.
        const overlaid = this.overlayAddresses(addresses);
        if (overlaid.length > 0) spec.addresses = overlaid;
        else delete spec.addresses;
      }
      obj.spec = spec;
    }
    return obj;
  }

  private overlayAddresses(addresses: readonly GatewayAddress[]): GatewayAddress[] {
    const special = addresses.filter((a) => a.type === FAKE_INVALID_TYPE);
    const out = special.map((a) => ({ type: a.type, value: a.value }));
    if (addresses.some((a) => a.value === UNUSABLE)) out.push(...this.options.unusableAddresses);
    if (addresses.some((a) => a.value === USABLE)) out.push(...this.options.usableAddresses);
    return out;
  }
}
