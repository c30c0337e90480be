// `gatehouse translate -f <file|dir>`: load and validate the files once, translate, print every
// computed status and the IR (private keys redacted). No side effects: nothing is bound or
// written. The output is what the translator's golden files hold.

import { readFile } from 'node:fs/promises';
import { listManifestFiles } from '../../provider/file/files.js';
import { type LoadedObject, loadManifest } from '../../provider/file/load.js';
import { MetadataTracker } from '../../provider/file/object-metadata.js';
import { buildSnapshot } from '../../provider/file/snapshot.js';
import { renderTranslation } from '../../translator/render.js';
import { translate } from '../../translator/translate.js';
import { redact } from '../admin-routes.js';
import type { TranslateFlags } from '../commands/translate.js';

export async function translateFiles(flags: TranslateFlags): Promise<void> {
  if (flags.output !== 'yaml' && flags.output !== 'json') throw new Error('--output must be yaml or json');
  const listing = await listManifestFiles(flags.file);
  if (listing.missing.length > 0) throw new Error(`no such file or directory: ${listing.missing.join(', ')}`);
  const loaded: LoadedObject[][] = [];
  let failed = false;
  for (const file of listing.files) {
    const load = loadManifest(file, await readFile(file, 'utf8'), { allowLoopbackEndpoints: true });
    for (const p of load.failures) {
      failed = true;
      process.stderr.write(`${p.file}:${p.line}:${p.column}: ${p.field ? `${p.field}: ` : ''}${p.message}\n`);
    }
    loaded.push(load.objects);
  }
  if (failed) throw new Error('some files were refused (see above)');
  const { snapshot, duplicates } = buildSnapshot(loaded, new MetadataTracker());
  for (const d of duplicates) {
    process.stderr.write(`${d.dropped.file}: ${d.key} is already defined in ${d.kept.file}; ignored\n`);
  }
  const result = translate(snapshot, { controllerName: flags.controllerName });
  process.stdout.write(renderTranslation({ ...result, ir: redact(result.ir) }, flags.output));
}
