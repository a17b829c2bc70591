// Runs the Khronos glTF Validator on every .glb/.gltf in the given folders (default: models/)
// and fails when any file has an error or a warning. Infos and hints are listed, not failed.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import validator from 'gltf-validator';

const dirs = process.argv.slice(2);
if (dirs.length === 0) dirs.push('models');

async function filesIn(dir) {
  const names = (await readdir(dir)).filter((n) => /\.(glb|gltf)$/i.test(n)).sort();
  return names.map((n) => path.join(dir, n));
}

let failed = 0;
let checked = 0;
for (const dir of dirs) {
  const files = await filesIn(dir);
  if (files.length === 0) {
    console.error(`validate-models: no .glb or .gltf files in ${dir}`);
    failed++;
  }
  for (const file of files) {
    const bytes = new Uint8Array(await readFile(file));
    const report = await validator.validateBytes(bytes, {
      uri: path.basename(file),
      maxIssues: 0,
      externalResourceFunction: (uri) =>
        readFile(path.join(path.dirname(file), decodeURIComponent(uri))).then((b) => new Uint8Array(b)),
    });
    const { numErrors, numWarnings, numInfos, numHints } = report.issues;
    checked++;
    const status = numErrors + numWarnings === 0 ? 'ok' : 'FAIL';
    console.log(
      `${status.padEnd(4)} ${file}: ${numErrors} errors, ${numWarnings} warnings, ${numInfos} infos, ${numHints} hints`,
    );
    for (const m of report.issues.messages) {
      // severity: 0 error, 1 warning, 2 info, 3 hint
      const level = ['error', 'warning', 'info', 'hint'][m.severity];
      console.log(`     ${level} ${m.code} at ${m.pointer ?? ''}: ${m.message}`);
    }
    if (numErrors + numWarnings > 0) failed++;
  }
}
console.log(`validate-models: ${checked} files checked, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
