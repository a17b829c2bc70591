// Web benchmark for Loupe (a measurement, not a test):
//   node www/bench/bench.mjs <out.json>
// Against the built site (LOUPE_SITE, default <repo>/target/site), in headless Chromium through
// SwiftShader, it measures:
//   - raw and gzipped (zlib level 9) sizes of loupe-tryon.js and of each backend's loupe.js + loupe_bg.wasm;
//   - time from the element's connectedCallback to its first frame with the jewel (firstFrameMs),
//     in a fresh browser profile (cold) and as the median of 3 reloads (warm), on WebGPU and WebGL2;
//   - frames per second over 10 s, element 1280×720 CSS px at devicePixelRatio 1, sample ring over
//     the fake camera (the element draws one frame per camera frame, via requestVideoFrameCallback,
//     so the camera's 30 fps is the ceiling: see web_fps_camera_source_fps);
//   - frames per second over 5 s in viewer mode (turntable, requestAnimationFrame, no camera ceiling).
// Keys written all start with "web_"; other keys already in <out.json> are kept.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { startServer } from '../tests/serve.mjs';
import { REPO, SITE, E2E_DIR, VIDEO_SOURCE, BACKEND_NAME, launch, checkSite } from '../tests/harness.mjs';

const out = process.argv[2];
// `--only detection` re-measures card detection and the download sizes alone (seconds, not the
// full half hour).
const only = process.argv[3] === '--only' ? process.argv[4] : null;
if (!out || (process.argv[3] !== undefined && only !== 'detection')) {
  console.error('usage: node www/bench/bench.mjs <out.json> [--only detection]');
  process.exit(2);
}

const CAMERA_FPS = 30;
const FPS_SECONDS = 10;
const TURNTABLE_SECONDS = 5;

function sizes() {
  const r = {};
  const files = {
    loupe_tryon_js: 'loupe-tryon.js',
    webgpu_loupe_js: 'pkg/webgpu/loupe.js',
    webgpu_wasm: 'pkg/webgpu/loupe_bg.wasm',
    webgl_loupe_js: 'pkg/webgl/loupe.js',
    webgl_wasm: 'pkg/webgl/loupe_bg.wasm',
  };
  for (const [key, rel] of Object.entries(files)) {
    const buf = fs.readFileSync(path.join(SITE, rel));
    r[`web_size_${key}_bytes`] = buf.length;
    r[`web_size_${key}_gzip_bytes`] = zlib.gzipSync(buf, { level: 9 }).length;
  }
  for (const b of ['webgpu', 'webgl']) {
    r[`web_size_${b}_total_gzip_bytes`] = r.web_size_loupe_tryon_js_gzip_bytes + r[`web_size_${b}_loupe_js_gzip_bytes`] + r[`web_size_${b}_wasm_gzip_bytes`];
  }
  return r;
}

/** A 30 fps fake-camera clip (the e2e one is 15 fps), portrait like a phone held up, 720 px high. */
function benchY4m() {
  const file = path.join(E2E_DIR, `hand-bench-${CAMERA_FPS}fps.y4m`);
  if (fs.existsSync(file) && fs.statSync(file).size > 1e6) return file;
  fs.mkdirSync(E2E_DIR, { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', VIDEO_SOURCE, '-t', '2', '-vf', `scale=414:720,fps=${CAMERA_FPS}`,
    '-pix_fmt', 'yuv420p', `${file}.tmp.y4m`], { stdio: ['ignore', 'inherit', 'inherit'] });
  fs.renameSync(`${file}.tmp.y4m`, file);
  return file;
}

const BENCH_PAGE = `<!doctype html><meta charset="utf-8"><title>loupe bench</title><link rel="icon" href="data:,">
<style>body{margin:0}loupe-tryon{width:1280px;height:720px}</style>
<script type="module" src="loupe-tryon.js"></script>
<loupe-tryon src="models/sample-ring.glb" environment="models/studio.hdr" alt="benchmark ring" mode="viewer"></loupe-tryon>`;

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const round1 = (x) => Math.round(x * 10) / 10;

async function firstFrame(page, url) {
  await page.goto(url);
  const h = await page.waitForFunction(() => {
    const el = document.querySelector('loupe-tryon');
    if (el && el.status === 'error') return { error: true };
    return el && el.firstFrameMs !== undefined ? { ms: el.firstFrameMs, backend: el.backend } : false;
  }, null, { timeout: 60000, polling: 10 });
  const v = await h.jsonValue();
  if (v.error) throw new Error('the element reported an error');
  return v;
}

async function countFps(page, seconds) {
  const a = await page.evaluate(() => ({ f: document.querySelector('loupe-tryon').framesRendered, t: performance.now() }));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const b = await page.evaluate(() => ({ f: document.querySelector('loupe-tryon').framesRendered, t: performance.now() }));
  return (b.f - a.f) / ((b.t - a.t) / 1000);
}

async function benchBackend(backend, server) {
  const r = {};
  const y4m = benchY4m();
  const { context: ctx, close } = await launch(backend, { camera: 'fake', y4m, viewport: { width: 1300, height: 760 } });
  try {
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const url = `${server.url}bench.html`;
    const cold = await firstFrame(page, url);
    if (cold.backend !== BACKEND_NAME[backend]) throw new Error(`expected ${BACKEND_NAME[backend]}, ran ${cold.backend}`);
    const warm = [];
    for (let i = 0; i < 3; i++) warm.push((await firstFrame(page, url)).ms);
    const name = BACKEND_NAME[backend];
    r[`web_first_frame_ms_${name}`] = round1(cold.ms);
    r[`web_first_frame_ms_warm_${name}`] = round1(median(warm));

    await page.waitForTimeout(500);
    r[`web_fps_turntable_1280x720_${name}`] = round1(await countFps(page, TURNTABLE_SECONDS));

    // Rendering alone here (the jewel placed by hand); tracking is measured separately.
    const started = await page.evaluate(() => { const el = document.querySelector('loupe-tryon'); el.tracking = 'off'; return el.startCamera(); });
    if (!started) throw new Error('camera did not start');
    await page.waitForTimeout(1000);
    r[`web_fps_camera_1280x720_${name}`] = round1(await countFps(page, FPS_SECONDS));
    const size = await page.evaluate(() => { const c = document.querySelector('loupe-tryon').shadowRoot.querySelector('canvas'); return `${c.width}x${c.height}`; });
    if (size !== '1280x720') throw new Error(`drawing buffer is ${size}, expected 1280x720`);
    Object.assign(r, await benchGemPass(page, name));
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  } finally {
    await close();
  }
  return r;
}

// The gem pass over the camera feed: the 1 ct catalogue solitaire filling the view, frames per
// second with the pass off (single refraction) and at 2, 4 and 8 bounces (default rays per pixel).
// The share of the frame the pass takes is 1 − fps_on / fps_off.
const GEM_SECONDS = 3;
async function benchGemPass(page, name) {
  const r = {};
  await page.evaluate(async () => {
    const el = document.querySelector('loupe-tryon');
    const loaded = new Promise((resolve, reject) => {
      el.addEventListener('load', resolve, { once: true });
      el.addEventListener('error', (e) => reject(new Error(JSON.stringify(e.detail))), { once: true });
    });
    el.src = 'models/solitaire-us7-1ct.glb';
    await loaded;
  });
  const defaults = await page.evaluate(() => document.querySelector('loupe-tryon')._viewer.gemQuality);
  const configs = [['off', 0, false], ['2', 2, true], ['4', 4, true], ['8', 8, true]];
  for (const [label, bounces, traced] of configs) {
    await page.evaluate(([b, rays, t]) => document.querySelector('loupe-tryon')._viewer.setGemQuality(b, rays, t),
      [bounces, defaults.raysPerPixel, traced]);
    await page.waitForTimeout(500);
    r[`web_fps_gems_${label}_1280x720_${name}`] = round1(await countFps(page, GEM_SECONDS));
  }
  r[`web_gem_rays_per_pixel_${name}`] = defaults.raysPerPixel;
  const off = r[`web_fps_gems_off_1280x720_${name}`];
  const on = r[`web_fps_gems_8_1280x720_${name}`];
  if (off > 0 && on > 0) r[`web_gem_pass_frame_share_8_${name}`] = Math.round((1 - on / off) * 1000) / 1000;
  await page.evaluate(([b, rays]) => document.querySelector('loupe-tryon')._viewer.setGemQuality(b, rays, true),
    [defaults.maxBounces, defaults.raysPerPixel]);
  return r;
}

// Card detection in wasm on a 640×480 and a 1280×720 frame: a light card tilted on a dark,
// textured floor, drawn in the page (frames never leave it); and the same scene in colour (a blue
// card on a wooden floor), where the two opponent-colour planes are searched too, as in most
// camera frames. Median (and fastest) of 51 calls after 20 warm-ups: the guided flow detects
// every 200 ms (longer when a detection is slow), so the steady state is the figure that matters,
// and the first calls run before the browser's optimising compiler has taken over the wasm. These
// drawn frames are the easy case (the first search finds the card); the camera-like frames below
// are the typical one. Each card found is then followed with trackCard from its corners, as the
// guided flow does between frames once it has a card.
const DETECT_PAGE = `<!doctype html><meta charset="utf-8"><title>loupe detection bench</title><link rel="icon" href="data:,">
<script type="module">
import init, { detectCard, trackCard } from './pkg/webgpu/loupe.js';
await init();
function frame(w, h, colour) {
  const c = new OffscreenCanvas(w, h);
  const g = c.getContext('2d');
  const [floor, tileA, tileB, card] = colour
    ? ['#7a5236', '#86603f', '#6a442a', '#3a6fd0']
    : ['#2a2a2e', '#35353a', '#232327', '#e6e2da'];
  g.fillStyle = floor; g.fillRect(0, 0, w, h);
  for (let i = 0; i < 400; i++) { g.fillStyle = i % 2 ? tileA : tileB; g.fillRect((i * 97) % w, (i * 61) % h, 6, 3); }
  const cw = 0.45 * w, ch = cw * 53.98 / 85.6;
  g.translate(w / 2, h / 2); g.rotate(0.2);
  g.fillStyle = card; g.beginPath(); g.roundRect(-cw / 2, -ch / 2, cw, ch, cw * 3.18 / 85.6); g.fill();
  return g.getImageData(0, 0, w, h).data;
}
// Times \`runs\` calls of \`call\` (a detectCard or trackCard call, answering its JSON) after
// \`warmUps\`: the times sorted, ms, and whether the last call found a card.
function timeCalls(call, warmUps, runs) {
  for (let i = 0; i < warmUps; i++) call();
  const ms = [];
  let found = false;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    found = JSON.parse(call()).found;
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { ms, found };
}
// Times \`runs\` detections after \`warmUps\`.
function timeDetection(rgba, w, h, warmUps, runs) {
  return timeCalls(() => detectCard(rgba, w, h), warmUps, runs);
}
// Times \`runs\` trackCard calls from the corners a detection found (the card still where it was,
// as in a steady hand) after \`warmUps\`; null when there is no card to follow.
function timeTracking(rgba, w, h, warmUps, runs) {
  const first = JSON.parse(detectCard(rgba, w, h));
  if (!first.found) return null;
  const corners = new Float32Array(first.corners_px.flat());
  return timeCalls(() => trackCard(rgba, w, h, corners), warmUps, runs);
}
const out = {};
for (const colour of [false, true]) {
  for (const [w, h] of [[640, 480], [1280, 720]]) {
    const rgba = frame(w, h, colour);
    const { ms, found } = timeDetection(rgba, w, h, 20, 51);
    out[(colour ? 'colour_' : '') + w + 'x' + h] = { ms: ms[25], msMin: ms[0], found };
    const tracked = timeTracking(rgba, w, h, 20, 51);
    if (tracked) out['tracking_' + (colour ? 'colour_' : '') + w + 'x' + h] = { ms: tracked.ms[25], msMin: tracked.ms[0], found: tracked.found };
  }
}
// The synthetic camera frames ./x bench writes (see FRAMES_DIR): each frame's median of 7 calls
// after 2 warm-ups, then the median and the mean over the frames, with a card and without.
const listed = await (await fetch('./frames/frames.json')).json().catch(() => []);
const scenes = {};
const tracking = {};
for (const f of listed) {
  const bitmap = await createImageBitmap(await (await fetch('./frames/' + f.file)).blob());
  const c = new OffscreenCanvas(bitmap.width, bitmap.height);
  const g = c.getContext('2d');
  g.drawImage(bitmap, 0, 0);
  const rgba = g.getImageData(0, 0, c.width, c.height).data;
  const { ms, found } = timeDetection(rgba, c.width, c.height, 2, 7);
  const key = f.size + (f.card ? '_with_card' : '_without_card');
  (scenes[key] ??= { ms: [], claimed: 0 }).ms.push(ms[3]);
  if (found) scenes[key].claimed++;
  // The cards found, followed into the same frame.
  const tracked = f.card && found ? timeTracking(rgba, c.width, c.height, 2, 7) : null;
  if (tracked) {
    const t = (tracking[f.size] ??= { ms: [], followed: 0 });
    t.ms.push(tracked.ms[3]);
    if (tracked.found) t.followed++;
  }
}
for (const [size, v] of Object.entries(tracking)) {
  v.ms.sort((a, b) => a - b);
  out['tracking_scenes_' + size] = { ms: v.ms[Math.floor(v.ms.length / 2)], frames: v.ms.length, followed: v.followed };
}
for (const [key, v] of Object.entries(scenes)) {
  v.ms.sort((a, b) => a - b);
  out['scenes_' + key] = {
    ms: v.ms[Math.floor(v.ms.length / 2)],
    msMean: v.ms.reduce((a, b) => a + b, 0) / v.ms.length,
    frames: v.ms.length,
    claimed: v.claimed,
  };
}
window.__detect = out;
</script>`;

// Synthetic camera frames for detection (photo backgrounds, varied cards, blur, noise, JPEG; a
// card in half of them), written by `./x bench` with the test set's generator (the shared photos
// stay out of the repository). Without them only the drawn frames are timed.
const FRAMES_DIR = process.env.LOUPE_BENCH_FRAMES || path.join(REPO, 'target', 'bench', 'frames');

function benchFrames() {
  const listing = path.join(FRAMES_DIR, 'frames.json');
  if (!fs.existsSync(listing)) {
    console.error(`no benchmark frames in ${FRAMES_DIR}: timing the drawn frames only`);
    return {};
  }
  const files = { '/frames/frames.json': fs.readFileSync(listing) };
  for (const f of JSON.parse(fs.readFileSync(listing, 'utf8'))) {
    files[`/frames/${f.file}`] = fs.readFileSync(path.join(FRAMES_DIR, f.file));
  }
  return files;
}

async function benchDetection(server) {
  const { context: ctx, close } = await launch('webgl', { camera: 'none' });
  try {
    const page = await ctx.newPage();
    await page.goto(`${server.url}detect.html`);
    const r = await page.waitForFunction(() => window.__detect, null, { timeout: 120_000 }).then((h) => h.jsonValue());
    const res = {};
    for (const [size, v] of Object.entries(r)) {
      if (size.startsWith('tracking_scenes_')) {
        const key = size.slice('tracking_scenes_'.length);
        res[`web_card_tracking_scenes_ms_${key}`] = round1(v.ms);
        res[`web_card_tracking_scenes_frames_${key}`] = v.frames;
        res[`web_card_tracking_scenes_followed_${key}`] = v.followed;
        continue;
      }
      if (size.startsWith('tracking_')) {
        const key = size.slice('tracking_'.length);
        res[`web_card_tracking_ms_${key}`] = round1(v.ms);
        res[`web_card_tracking_ms_min_${key}`] = round1(v.msMin);
        res[`web_card_tracking_found_${key}`] = v.found;
        continue;
      }
      if (size.startsWith('scenes_')) {
        const key = size.slice('scenes_'.length);
        res[`web_card_detection_scenes_ms_${key}`] = round1(v.ms);
        res[`web_card_detection_scenes_ms_mean_${key}`] = round1(v.msMean);
        res[`web_card_detection_scenes_frames_${key}`] = v.frames;
        res[`web_card_detection_scenes_claimed_${key}`] = v.claimed;
        continue;
      }
      res[`web_card_detection_ms_${size}`] = round1(v.ms);
      res[`web_card_detection_ms_min_${size}`] = round1(v.msMin);
      res[`web_card_detection_found_${size}`] = v.found;
    }
    return res;
  } finally {
    await close();
  }
}

const { isMock } = (() => { try { return checkSite(); } catch (e) {
  if (/MOCK/.test(e.message)) return { isMock: true };
  console.error(e.message); process.exit(1);
} })();

const results = { ...sizes() };
const server = await startServer(SITE, 0, { files: { '/bench.html': BENCH_PAGE, '/detect.html': DETECT_PAGE, ...benchFrames() } });
try {
  for (const b of only ? [] : ['webgpu', 'webgl']) {
    try {
      Object.assign(results, await benchBackend(b, server));
    } catch (e) {
      console.error(`${b}: ${e.message}`);
      results[`web_error_${b}`] = e.message;
    }
  }
  try {
    Object.assign(results, await benchDetection(server));
  } catch (e) {
    console.error(`card detection: ${e.message}`);
    results.web_error_card_detection = e.message;
  }
} finally {
  await server.close();
}
const chromiumVersion = (() => { try { return execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return 'unknown'; } })();
const meta = { date: new Date().toISOString(), site: SITE, mock_wasm: isMock, chromium: chromiumVersion };
Object.assign(results, only
  // The other web figures keep their own date.
  ? { web_card_detection_meta: meta }
  : {
    web_fps_camera_source_fps: CAMERA_FPS,
    web_bench_meta: { ...meta, gpu: 'SwiftShader (software)', device_pixel_ratio: 1 },
  });

let existing = {};
if (fs.existsSync(out)) {
  try { existing = JSON.parse(fs.readFileSync(out, 'utf8')); } catch { console.error(`${out} is not valid JSON: replacing it`); }
}
for (const k of Object.keys(existing)) {
  if (only ? /^web_(card_detection|size)_/.test(k) : k.startsWith('web_')) delete existing[k];
}
fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ ...existing, ...results }, null, 2) + '\n');

if (only) {
  for (const [k, v] of Object.entries(results)) if (typeof v !== 'object') console.log(`  ${k} ${v}`);
  process.exit(results.web_error_card_detection ? 1 : 0);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`Loupe web benchmark${isMock ? ' (MOCK wasm: numbers are not meaningful)' : ''} → ${out}`);
console.log(`  loupe-tryon.js          ${kb(results.web_size_loupe_tryon_js_bytes)} raw, ${kb(results.web_size_loupe_tryon_js_gzip_bytes)} gzip`);
for (const b of ['webgpu', 'webgl']) {
  console.log(`  ${b.padEnd(6)} loupe.js + wasm  ${kb(results[`web_size_${b}_loupe_js_bytes`] + results[`web_size_${b}_wasm_bytes`])} raw, ` +
    `${kb(results[`web_size_${b}_loupe_js_gzip_bytes`] + results[`web_size_${b}_wasm_gzip_bytes`])} gzip; page total ${kb(results[`web_size_${b}_total_gzip_bytes`])} gzip`);
}
for (const name of ['webgpu', 'webgl2']) {
  if (results[`web_first_frame_ms_${name}`] === undefined) { console.log(`  ${name}: failed (${results[`web_error_${name === 'webgl2' ? 'webgl' : name}`]})`); continue; }
  console.log(`  ${name.padEnd(6)} first frame ${results[`web_first_frame_ms_${name}`]} ms cold, ${results[`web_first_frame_ms_warm_${name}`]} ms warm; ` +
    `camera ${results[`web_fps_camera_1280x720_${name}`]} fps (source ${CAMERA_FPS} fps), turntable ${results[`web_fps_turntable_1280x720_${name}`]} fps; ` +
    `1 ct solitaire over the camera: gem pass off ${results[`web_fps_gems_off_1280x720_${name}`]} fps, ` +
    `2/4/8 bounces ${results[`web_fps_gems_2_1280x720_${name}`]}/${results[`web_fps_gems_4_1280x720_${name}`]}/${results[`web_fps_gems_8_1280x720_${name}`]} fps`);
}
