// Refreshes a TUF repository with tuf-js (a client that is not ours) and downloads every target,
// which tuf-js checks against the signed length and hashes. Prints one JSON line:
//   {"ok":true,"root":N,"targets":[{"name":...,"length":...,"sha256":...}]}  (exit 0)
//   {"ok":false,"error":"..."}                                            (exit 1)
// Usage: node script.mjs METADATA_URL TARGETS_URL TRUSTED_ROOT WORK_DIR
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Updater } from 'tuf-js';

const [metadataBaseUrl, targetBaseUrl, trustedRoot, workDir] = process.argv.slice(2);
if (!workDir) {
  console.error('usage: node script.mjs METADATA_URL TARGETS_URL TRUSTED_ROOT WORK_DIR');
  process.exit(2);
}

const metadataDir = join(workDir, 'metadata');
const targetDir = join(workDir, 'targets');
mkdirSync(metadataDir, { recursive: true });
mkdirSync(targetDir, { recursive: true });
copyFileSync(trustedRoot, join(metadataDir, 'root.json'));

try {
  const updater = new Updater({ metadataDir, metadataBaseUrl, targetDir, targetBaseUrl });
  await updater.refresh();

  // tuf-js has no "list targets"; it persisted the targets metadata it verified, so read the names there.
  const targets = JSON.parse(readFileSync(join(metadataDir, 'targets.json'), 'utf8')).signed.targets;
  const root = JSON.parse(readFileSync(join(metadataDir, 'root.json'), 'utf8')).signed.version;
  const downloaded = [];
  for (const name of Object.keys(targets).sort()) {
    const info = await updater.getTargetInfo(name);
    if (!info) {
      throw new Error(`tuf-js does not know target ${name}`);
    }
    const path = await updater.downloadTarget(info);
    const content = readFileSync(path);
    downloaded.push({ name, length: content.length, sha256: createHash('sha256').update(content).digest('hex') });
  }
  console.log(JSON.stringify({ ok: true, root, targets: downloaded }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: `${error?.name ?? 'Error'}: ${error?.message ?? error}` }));
  process.exit(1);
}
