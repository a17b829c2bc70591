// Builds a development site (same layout as target/site) that uses the 2D-canvas MOCK of the wasm
// module, for working on the element before the real build exists. NOT the real site.
//   node www/tests/dev-site.mjs [dir]     (default /tmp/site-dev)
// Layout: index.html, loupe-tryon.js, demo/…, pkg/{webgpu,webgl}/{loupe.js,loupe_bg.wasm},
//         models/sample-ring.glb (a generated torus), models/studio.hdr (a tiny flat HDR).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from './png.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const www = path.resolve(here, '..');

/** A GLB holding one torus "band": inner diameter innerMm, wire thickness wireMm (glTF units: metres). */
export function makeRingGlb({ innerMm = 17.3, wireMm = 2, seg = 48, side = 12 } = {}) {
  const R = (innerMm / 2 + wireMm / 2) / 1000, r = wireMm / 2 / 1000;
  const pos = [], idx = [];
  for (let i = 0; i < seg; i++) for (let j = 0; j < side; j++) {
    const u = (i / seg) * 2 * Math.PI, v = (j / side) * 2 * Math.PI;
    pos.push((R + r * Math.cos(v)) * Math.cos(u), (R + r * Math.cos(v)) * Math.sin(u), r * Math.sin(v));
    const a = i * side + j, b = ((i + 1) % seg) * side + j, c = ((i + 1) % seg) * side + (j + 1) % side, d = i * side + (j + 1) % side;
    idx.push(a, b, c, a, c, d);
  }
  const P = Buffer.from(new Float32Array(pos).buffer);
  const I = Buffer.from(new Uint16Array(idx).buffer);
  const min = [0, 1, 2].map((k) => Math.min(...pos.filter((_, n) => n % 3 === k)));
  const max = [0, 1, 2].map((k) => Math.max(...pos.filter((_, n) => n % 3 === k)));
  const bin = Buffer.concat([P, I, Buffer.alloc((4 - ((P.length + I.length) % 4)) % 4)]);
  const json = {
    asset: { version: '2.0', generator: 'loupe www/tests/dev-site.mjs' },
    scene: 0, scenes: [{ nodes: [0] }], nodes: [{ mesh: 0, name: 'band' }],
    meshes: [{ name: 'band', primitives: [{ attributes: { POSITION: 0 }, indices: 1, material: 0 }] }],
    materials: [{ name: 'platinum', pbrMetallicRoughness: { baseColorFactor: [0.673, 0.637, 0.585, 1], metallicFactor: 1, roughnessFactor: 0.15 } }],
    accessors: [
      { bufferView: 0, componentType: 5126, count: pos.length / 3, type: 'VEC3', min, max },
      { bufferView: 1, componentType: 5123, count: idx.length, type: 'SCALAR' },
    ],
    bufferViews: [{ buffer: 0, byteOffset: 0, byteLength: P.length, target: 34962 }, { buffer: 0, byteOffset: P.length, byteLength: I.length, target: 34963 }],
    buffers: [{ byteLength: bin.length }],
  };
  let js = Buffer.from(JSON.stringify(json));
  js = Buffer.concat([js, Buffer.alloc((4 - (js.length % 4)) % 4, 0x20)]);
  const total = 12 + 8 + js.length + 8 + bin.length;
  const h = Buffer.alloc(12); h.write('glTF', 0, 'latin1'); h.writeUInt32LE(2, 4); h.writeUInt32LE(total, 8);
  const jh = Buffer.alloc(8); jh.writeUInt32LE(js.length, 0); jh.writeUInt32LE(0x4e4f534a, 4);
  const bh = Buffer.alloc(8); bh.writeUInt32LE(bin.length, 0); bh.writeUInt32LE(0x004e4942, 4);
  return Buffer.concat([h, jh, js, bh, bin]);
}

/** A tiny Radiance HDR: width×height flat grey-blue sky, uncompressed RGBE. */
export function makeHdr(width = 8, height = 4) {
  const head = Buffer.from(`#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y ${height} +X ${width}\n`, 'latin1');
  const px = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) px.set([128 + (i % 64), 140, 160, 129], i * 4);
  return Buffer.concat([head, px]);
}

function placeholderProductPng(w = 400, h = 400) {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4, d = Math.hypot(x - w / 2, (y - h / 2) * 1.6);
    const ring = Math.abs(d - w * 0.28) < w * 0.03;
    const stone = Math.hypot(x - w / 2, y - h * 0.3) < w * 0.06;
    const c = stone ? [235, 245, 255] : ring ? [200, 200, 205] : [246 - y / 20, 243 - y / 20, 238 - y / 20];
    rgba.set([...c, 255], i);
  }
  return encodePng(w, h, rgba);
}

function copyDir(src, dst, skip) {
  fs.mkdirSync(dst, { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name), d = path.join(dst, e.name);
    if (skip.has(s)) continue;
    if (e.isDirectory()) copyDir(s, d, skip); else fs.copyFileSync(s, d);
  }
}

export function buildDevSite(dir = '/tmp/site-dev') {
  fs.rmSync(dir, { recursive: true, force: true });
  copyDir(www, dir, new Set([path.join(www, 'tests'), path.join(www, 'bench')]));
  const mock = fs.readFileSync(path.join(here, 'mock-pkg', 'loupe.js'));
  // the smallest valid wasm module, so that size measurements have a file to read
  const wasm = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  for (const b of ['webgpu', 'webgl']) {
    fs.mkdirSync(path.join(dir, 'pkg', b), { recursive: true });
    fs.writeFileSync(path.join(dir, 'pkg', b, 'loupe.js'), mock);
    fs.writeFileSync(path.join(dir, 'pkg', b, 'loupe_bg.wasm'), wasm);
  }
  fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'models', 'sample-ring.glb'), makeRingGlb());
  fs.writeFileSync(path.join(dir, 'models', 'studio.hdr'), makeHdr());
  const product = path.join(dir, 'demo', 'product.png');
  if (!fs.existsSync(product)) { fs.mkdirSync(path.dirname(product), { recursive: true }); fs.writeFileSync(product, placeholderProductPng()); }
  return dir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`mock dev site: ${buildDevSite(process.argv[2] || '/tmp/site-dev')}`);
}
