// LOUPE-MOCK — a development stand-in for the wasm-bindgen build (pkg/*/loupe.js). NOT SHIPPED.
// It has the same API as the real Viewer but draws with a 2D canvas: the video/photo background
// cover-fit, and a gold ring shape where the jewel is placed. Its backend string follows the folder
// it is served from (pkg/webgpu → "webgpu", otherwise "webgl2"), and Viewer.create fails the same
// way the real one would when that backend is missing (no adapter / no WebGL2 context).
// e2e.test.mjs refuses to run against a site built with this file unless LOUPE_ALLOW_MOCK=1.

export const LOUPE_MOCK = true;
const BACKEND = /\/webgpu\//.test(import.meta.url) ? 'webgpu' : 'webgl2';
let initialised = false;
globalThis.__loupeMockLiveViewers = globalThis.__loupeMockLiveViewers || 0;

export default async function init() {
  initialised = true;
  return {};
}

const SUPPORTED_EXTENSIONS = new Set(['KHR_materials_ior', 'KHR_materials_transmission', 'KHR_materials_volume',
  'KHR_materials_dispersion', 'KHR_materials_anisotropy', 'KHR_materials_emissive_strength', 'KHR_texture_transform']);

function parseGlb(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new Error('loadGlb expects a Uint8Array');
  if (bytes.length < 12) throw new Error(`not a GLB: ${bytes.length} bytes is shorter than the 12-byte header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== 0x46546c67) throw new Error('not a GLB: missing "glTF" magic');
  const version = dv.getUint32(4, true);
  if (version !== 2) throw new Error(`unsupported GLB version ${version}`);
  const length = dv.getUint32(8, true);
  if (length > bytes.length) throw new Error(`truncated GLB: header says ${length} bytes, got ${bytes.length}`);
  if (length < 20) throw new Error('GLB has no JSON chunk');
  const jsonLen = dv.getUint32(12, true);
  if (dv.getUint32(16, true) !== 0x4e4f534a || 20 + jsonLen > length) throw new Error('GLB JSON chunk is malformed');
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLen)));
  for (const ext of json.extensionsRequired || []) {
    if (!SUPPORTED_EXTENSIONS.has(ext)) throw new Error(`unsupported required extension ${ext}`);
  }
  let min = [-0.01, -0.01, -0.002], max = [0.01, 0.01, 0.002], triangles = 0;
  for (const mesh of json.meshes || []) {
    for (const prim of mesh.primitives || []) {
      const acc = json.accessors && json.accessors[prim.attributes && prim.attributes.POSITION];
      if (acc && acc.min && acc.max) { min = acc.min; max = acc.max; }
      const idx = prim.indices !== undefined && json.accessors[prim.indices];
      triangles += Math.floor((idx ? idx.count : (acc ? acc.count : 0)) / 3);
    }
  }
  return { boundsMinM: min, boundsMaxM: max, sizeMm: max.map((v, i) => (v - min[i]) * 1000), triangles, warnings: [] };
}

export class Viewer {
  static async create(canvas) {
    if (!initialised) throw new Error('call init() first');
    if (BACKEND === 'webgpu') {
      const adapter = navigator.gpu && (await navigator.gpu.requestAdapter());
      if (!adapter) throw new Error('mock: no WebGPU adapter');
    } else {
      const probe = document.createElement('canvas');
      if (!probe.getContext('webgl2')) throw new Error('mock: WebGL2 is not available');
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('mock: no 2D context');
    return new Viewer(canvas, ctx);
  }

  constructor(canvas, ctx) {
    this._canvas = canvas;
    this._ctx = ctx;
    this._dpr = 1;
    this._bg = { kind: 'neutral' };
    this._model = null;
    this._pxPerMm = undefined;
    this._lost = false;
    this._freed = false;
    this.resetPlacement();
    this._turntable = false;
    globalThis.__loupeMockLiveViewers++;
  }

  _check() { if (this._freed) throw new Error('null pointer passed to rust'); }

  free() { this._check(); this._freed = true; globalThis.__loupeMockLiveViewers--; }
  get backend() { this._check(); return BACKEND; }
  get contextLost() { return this._lost; }
  /** mock only: simulate a GPU device loss */
  loseContextForTesting() { this._lost = true; }

  setViewport(cssWidth, cssHeight, dpr) {
    this._check();
    this._dpr = dpr;
    this._canvas.width = Math.max(0, Math.round(cssWidth * dpr));
    this._canvas.height = Math.max(0, Math.round(cssHeight * dpr));
  }

  async loadGlb(bytes) {
    this._check();
    const info = parseGlb(bytes); // throws → rejected promise, previous model kept
    await new Promise((r) => setTimeout(r, 5));
    this._model = info;
    return info;
  }

  setEnvironmentHdr(bytes) {
    this._check();
    const head = new TextDecoder().decode(bytes.subarray(0, 10));
    if (!head.startsWith('#?RADIANCE') && !head.startsWith('#?RGBE')) throw new Error('not a Radiance HDR file');
  }

  setVideo(video, mirror) { this._check(); this._bg = { kind: 'video', src: video, mirror }; }
  setImage(image, mirror) { this._check(); this._bg = { kind: 'image', src: image, mirror }; }
  setNeutralBackground() { this._check(); this._bg = { kind: 'neutral' }; }
  setPxPerMm(v) { this._check(); this._pxPerMm = typeof v === 'number' && v > 0 ? v : undefined; }
  get gemQuality() {
    this._check();
    const [maxBounces, raysPerPixel] = this._gem || (BACKEND === 'webgl2' ? [6, 2] : [8, 4]);
    return { maxBounces, raysPerPixel, perChannel: true, traced: this._traced ?? true, sparkle: this._sparkle ?? 0.6 };
  }
  setSparkle(strength) {
    this._check();
    this._sparkle = Number.isNaN(strength) ? 0 : Math.min(Math.max(strength, 0), 1);
  }
  setGemQuality(bounces, rays, traced) {
    this._check();
    this._gem = [Math.min(bounces, 16), Math.min(Math.max(rays, 1), 4)];
    this._traced = traced ?? true;
  }
  moveBy(dx, dy) { this._check(); this._x += dx; this._y += dy; }
  turn(yaw, pitch) { this._check(); this._yaw += yaw; this._pitch += pitch; }
  twist(roll) { this._check(); this._roll += roll; }
  zoomBy(f) { this._check(); if (!this._pxPerMm && f > 0 && Number.isFinite(f)) this._zoom *= f; }
  resetPlacement() { this._x = 0; this._y = 0; this._yaw = 0; this._pitch = 0; this._roll = 0; this._zoom = 1; }
  setTurntable(on) { this._check(); this._turntable = !!on; }
  // Tracking: the mock follows no hand (its site has no tracker files, so tracking fails to load).
  setTracking(kind, finger, hand) { this._check(); this._tracking = { kind, finger, hand }; }
  stopTracking() { this._check(); this._tracking = null; }
  trackHands() { this._check(); return false; }
  trackFaces() { this._check(); return false; }
  loseTracking() { this._check(); }
  forgetTrackingMotion() { this._check(); }
  measureHand() { this._check(); return undefined; }
  measureFace() { this._check(); return undefined; }
  setFingerDiameterMm() { this._check(); return false; }
  setOcclusion() { this._check(); }
  setContactShadow() { this._check(); }
  get trackedJewel() { return this._tracking ? { tracking: false, knuckleSpanMm: 64, opacity: 0, jewels: [] } : null; }

  render(timeMs) {
    this._check();
    if (this._lost) throw new Error('context-lost: mock device lost');
    const c = this._canvas, ctx = this._ctx, w = c.width, h = c.height;
    if (!w || !h) return;
    const bg = this._bg;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if ((bg.kind === 'video' && bg.src.readyState >= 2) || bg.kind === 'image') {
      const sw = bg.src.videoWidth || bg.src.width, sh = bg.src.videoHeight || bg.src.height;
      const s = Math.max(w / sw, h / sh);
      ctx.save();
      if (bg.mirror) { ctx.translate(w, 0); ctx.scale(-1, 1); }
      ctx.drawImage(bg.src, (w - sw * s) / 2, (h - sh * s) / 2, sw * s, sh * s);
      ctx.restore();
    } else {
      const g = ctx.createLinearGradient(0, 0, 0, h);
      g.addColorStop(0, '#f6f3ee');
      g.addColorStop(1, '#d9d3ca');
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, w, h);
    }
    if (!this._model) return;
    const d = this._dpr;
    const diameterPx = this._pxPerMm ? Math.max(...this._model.sizeMm.slice(0, 2)) * this._pxPerMm * d
      : 0.4 * Math.min(w, h) * this._zoom;
    const r = diameterPx / 2;
    const spin = this._turntable ? timeMs * 0.0006 : 0;
    const squash = Math.max(0.2, Math.abs(Math.cos(this._yaw + spin)));
    ctx.save();
    ctx.translate(w / 2 + this._x * d, h / 2 + this._y * d);
    ctx.rotate(this._roll);
    ctx.scale(squash, Math.max(0.2, Math.abs(Math.cos(this._pitch))));
    const gold = ctx.createLinearGradient(-r, -r, r, r);
    gold.addColorStop(0, '#fff3b0');
    gold.addColorStop(0.5, '#d4a017');
    gold.addColorStop(1, '#8a6a10');
    ctx.strokeStyle = gold;
    ctx.lineWidth = r * 0.22;
    ctx.beginPath();
    ctx.arc(0, 0, r * 0.85, 0, Math.PI * 2);
    ctx.stroke();
    ctx.fillStyle = '#e8f4ff';
    ctx.strokeStyle = '#6d8fb3';
    ctx.lineWidth = Math.max(1, r * 0.03);
    ctx.beginPath();
    ctx.moveTo(0, -r * 1.25); ctx.lineTo(r * 0.3, -r * 0.95); ctx.lineTo(0, -r * 0.7); ctx.lineTo(-r * 0.3, -r * 0.95);
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
    ctx.restore();
  }
}
