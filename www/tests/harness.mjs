// Shared helpers for the end-to-end tests and the benchmark: site location, fake-camera fixture,
// Chromium launch flags per backend, page instrumentation and pixel checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { decodePng } from './png.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..', '..');
export const SITE = path.resolve(process.env.LOUPE_SITE || path.join(REPO, 'target', 'site'));
export const E2E_DIR = path.join(REPO, 'target', 'e2e');
export const VIDEO_SOURCE = path.resolve(REPO, '..', 'shared', 'data', 'hands', 'asl_hand_25fps_yuv420p.mp4');
export const CHROMIUM = process.env.LOUPE_CHROMIUM || '/usr/bin/chromium';

export const BASE_FLAGS = ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];
export const BACKEND_FLAGS = {
  // WebGPU (and WebGL2) through SwiftShader, WebGPU canvas visible in screenshots (TOOLCHAIN.md)
  webgpu: ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--enable-features=Vulkan',
    '--use-angle=swiftshader', '--use-vulkan=swiftshader'],
  // WebGL2 only: navigator.gpu exists but requestAdapter() returns null, so the loader picks WebGL2
  webgl: ['--enable-unsafe-swiftshader'],
};
/** what Viewer.backend reports for each build */
export const BACKEND_NAME = { webgpu: 'webgpu', webgl: 'webgl2' };

/** Checks that the site exists and is the real build (not the development mock). */
export function checkSite() {
  const need = ['index.html', 'loupe-tryon.js', 'pkg/webgpu/loupe.js', 'pkg/webgpu/loupe_bg.wasm',
    'pkg/webgl/loupe.js', 'pkg/webgl/loupe_bg.wasm', 'models/sample-ring.glb'];
  const missing = need.filter((f) => !fs.existsSync(path.join(SITE, f)));
  if (missing.length) {
    throw new Error(`site ${SITE} is incomplete (missing ${missing.join(', ')}); build it first, or set LOUPE_SITE`);
  }
  const isMock = fs.readFileSync(path.join(SITE, 'pkg/webgl/loupe.js'), 'utf8').includes('LOUPE-MOCK');
  if (isMock && process.env.LOUPE_ALLOW_MOCK !== '1') {
    throw new Error(`site ${SITE} serves the development MOCK of the wasm module; these tests need the real build ` +
      '(set LOUPE_ALLOW_MOCK=1 only to develop the tests themselves)');
  }
  return { isMock };
}

/** The fake camera's video: made once from the shared clip (ffmpeg), reused afterwards. */
export function fakeCameraY4m() {
  const out = path.join(E2E_DIR, 'hand-310x540-15fps.y4m');
  if (fs.existsSync(out) && fs.statSync(out).size > 1e6) return out;
  if (!fs.existsSync(VIDEO_SOURCE)) throw new Error(`fake-camera source video missing: ${VIDEO_SOURCE}`);
  fs.mkdirSync(E2E_DIR, { recursive: true });
  const tmp = `${out}.tmp.y4m`;
  try {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', VIDEO_SOURCE, '-t', '4', '-vf', 'scale=310:540,fps=15',
      '-pix_fmt', 'yuv420p', tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    throw new Error(`could not make the fake-camera y4m with ffmpeg (is ffmpeg installed?): ${e.message}`);
  }
  fs.renameSync(tmp, out);
  return out;
}

/**
 * Launches headless Chromium for one backend. camera: 'fake' (fake device, auto-accepted prompt),
 * 'deny' (fake device, but no fake UI: the permission prompt is denied), or 'none'.
 */
export async function launch(backend, { camera = 'fake', viewport = { width: 1280, height: 900 }, y4m = null } = {}) {
  const args = [...BASE_FLAGS, ...BACKEND_FLAGS[backend]];
  if (camera !== 'none') {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m || fakeCameraY4m()}`);
    if (camera === 'fake') args.push('--use-fake-ui-for-media-stream');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-e2e-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args, viewport, deviceScaleFactor: 1,
  });
  const close = async () => {
    await context.close().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { context, close };
}

/** Records every <loupe-tryon> event (they bubble and are composed) from the start of the document. */
const RECORDER = () => {
  window.__loupeEvents = [];
  for (const type of ['progress', 'load', 'camera-start', 'error', 'calibrated', 'size-measured', 'tracking']) {
    document.addEventListener(type, (e) => {
      if (e instanceof CustomEvent && e.target && e.target.localName === 'loupe-tryon') {
        window.__loupeEvents.push({ type, detail: JSON.parse(JSON.stringify(e.detail ?? null)), id: e.target.id, t: performance.now() });
      }
    }, true);
  }
};

/**
 * Opens a page with the event recorder and console/pageerror collection.
 * allow: RegExps of console errors that this test expects.
 */
export async function openPage(context, url, { allow = [], init = null } = {}) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    const text = `${m.text()}${m.location() && m.location().url ? ` (${m.location().url})` : ''}`;
    if (m.type() === 'error' && !allow.some((re) => re.test(text))) problems.push(`console.error: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(RECORDER);
  if (init) await page.addInitScript(init);
  if (url) await page.goto(url);
  return {
    page,
    problems,
    /** fails the test if the page logged unexpected errors */
    assertClean() {
      if (problems.length) throw new Error(`unexpected page errors:\n  ${problems.join('\n  ')}`);
    },
  };
}

export async function events(page, type) {
  return page.evaluate((t) => window.__loupeEvents.filter((e) => !t || e.type === t), type);
}

/** Waits until an event of `type` (optionally after index `from`, matching `pred` on detail) was recorded. */
export async function waitForEvent(page, type, { from = 0, timeout = 15000, match = null } = {}) {
  const h = await page.waitForFunction(([t, f, m]) => {
    const found = window.__loupeEvents.slice(f).find((e) => e.type === t && (!m || Object.entries(m).every(([k, v]) => e.detail && e.detail[k] === v)));
    return found || false;
  }, [type, from, match], { timeout, polling: 50 });
  return h.jsonValue();
}

export async function eventCount(page) {
  return page.evaluate(() => window.__loupeEvents.length);
}

export async function waitForStatus(page, status, selector = 'loupe-tryon', timeout = 15000) {
  await page.waitForFunction(([s, sel]) => document.querySelector(sel)?.getAttribute('status') === s, [status, selector], { timeout, polling: 50 });
}

export async function frameCount(page, selector = 'loupe-tryon') {
  return page.evaluate((sel) => document.querySelector(sel).framesRendered, selector);
}

/** Waits until the element has drawn n more frames than `start` (default: the count now). */
export async function waitFrames(page, n = 2, selector = 'loupe-tryon', timeout = 10000, start = null) {
  if (start === null) start = await frameCount(page, selector);
  await page.waitForFunction(([sel, s, k]) => document.querySelector(sel).framesRendered >= s + k, [selector, start, n], { timeout, polling: 16 });
}

/** Screenshot of the element as the user sees it, decoded to RGBA. */
export async function shot(page, selector = 'loupe-tryon') {
  return decodePng(await page.locator(selector).screenshot({ animations: 'allow' }));
}

/**
 * Fraction of pixels whose largest channel difference exceeds `delta`, inside rect (fractions of the
 * image: [x0, y0, x1, y1]). Compressed-video noise and anti-aliasing stay below delta = 24.
 */
export function changedFraction(a, b, rect = [0, 0, 1, 1], delta = 24) {
  if (a.width !== b.width || a.height !== b.height) throw new Error('size mismatch');
  const [x0, y0, x1, y1] = [rect[0] * a.width, rect[1] * a.height, rect[2] * a.width, rect[3] * a.height].map(Math.round);
  let changed = 0, n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    const i = (y * a.width + x) * 4;
    const d = Math.max(Math.abs(a.data[i] - b.data[i]), Math.abs(a.data[i + 1] - b.data[i + 1]), Math.abs(a.data[i + 2] - b.data[i + 2]));
    if (d > delta) changed++;
    n++;
  }
  return n ? changed / n : 0;
}

/**
 * Where the jewel is by default: a square of 40 % of the shorter side, centred (the Viewer's
 * default size), grown by a margin for the stone on top, the turntable and shading. As fractions.
 */
export function jewelBox(img, grow = 1.5) {
  const side = 0.4 * Math.min(img.width, img.height) * grow;
  const w = side / img.width, h = side / img.height;
  return [Math.max(0, 0.5 - w / 2), Math.max(0, 0.5 - h / 2), Math.min(1, 0.5 + w / 2), Math.min(1, 0.5 + h / 2)];
}

/**
 * The four corner squares (each 15 % of the shorter side), which the jewel never covers by default,
 * inset by 3 % so that the page's border, rounded corners and focus ring are left out.
 */
export function cornerRects(img, frac = 0.15, insetFrac = 0.03) {
  const m = Math.min(img.width, img.height);
  const s = frac * m, i = insetFrac * m;
  const [x0, y0] = [i / img.width, i / img.height];
  const w = s / img.width, h = s / img.height;
  return [[x0, y0, x0 + w, y0 + h], [1 - x0 - w, y0, 1 - x0, y0 + h], [x0, 1 - y0 - h, x0 + w, 1 - y0], [1 - x0 - w, 1 - y0 - h, 1 - x0, 1 - y0]];
}

/** Mean colour of a rect (fractions) */
export function meanColor(img, rect) {
  const [x0, y0, x1, y1] = [rect[0] * img.width, rect[1] * img.height, rect[2] * img.width, rect[3] * img.height].map(Math.round);
  const s = [0, 0, 0];
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    const i = (y * img.width + x) * 4;
    s[0] += img.data[i]; s[1] += img.data[i + 1]; s[2] += img.data[i + 2];
    n++;
  }
  return s.map((v) => v / n);
}

/**
 * Drags the jewel out of the view with the mouse (pointer drag → Viewer.moveBy), so that a second
 * picture of the same background shows no jewel. Returns the element's box.
 */
export async function dragJewelAway(page, selector = 'loupe-tryon') {
  const box = await page.locator(selector).boundingBox();
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + box.width, cy, { steps: 8 });
  await page.mouse.up();
  // let the last move's frame be drawn and composited
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)))));
  return box;
}

/** A fixture made once with ffmpeg into target/e2e (`args` are ffmpeg's inputs and filters). */
export function ffmpegFixture(name, args) {
  const out = path.join(E2E_DIR, name);
  if (fs.existsSync(out) && fs.statSync(out).size > 1e5) return out;
  fs.mkdirSync(E2E_DIR, { recursive: true });
  const tmp = `${out}.tmp${path.extname(out)}`;
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
  fs.renameSync(tmp, out);
  return out;
}

/** The element's composed picture (`toBlob()`), decoded. */
export async function composedPicture(page, selector = 'loupe-tryon') {
  const b64 = await page.evaluate(async (sel) => {
    const blob = await document.querySelector(sel).toBlob();
    const url = await new Promise((r) => { const f = new FileReader(); f.onload = () => r(f.result); f.readAsDataURL(blob); });
    return url.slice(url.indexOf(',') + 1);
  }, selector);
  return decodePng(Buffer.from(b64, 'base64'));
}
