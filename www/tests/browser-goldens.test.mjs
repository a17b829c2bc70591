// Golden images of every piece in models/ as <loupe-tryon> draws it in headless Chromium, on the
// WebGPU path and on the WebGL2 path (both through SwiftShader), compared with
// tests/golden/browser/<backend>/<piece>.png. These are the shipped shaders as the browser runs
// them, gem pass included (gem-quality auto: 8 bounces and 4 rays on WebGPU, 6 and 2 on WebGL2);
// the native goldens (tests/golden.rs) run the same WGSL on lavapipe.
//
//   LOUPE_UPDATE_GOLDEN=1 node --test www/tests/browser-goldens.test.mjs   rewrites the stored
//   pictures (look at every one before committing it).
//
// Each piece is drawn in viewer mode with reduced motion (so the turntable stands still, at the
// element's default pose) in a 256 × 256 element, and read back with toBlob().
// Tolerance, as for the native goldens: a pixel differs when a channel is more than 12/255 off.
// It is counted inside the jewel's box (where the stored picture differs from the backdrop by
// more than 24/255, grown by 8 px; the backdrop is pictured with the first piece dragged out of
// the view), where at most 0.5 % may differ, with a mean absolute difference under 1.5/255.
// SwiftShader is bit-exact run to run; its code generation on another CPU, and a total internal
// reflection flipped by float rounding there, change a few pixels at facet edges. A gem drawn
// with fewer bounces or rays, a wrong metal, a missing part or a moved jewel changes far more. On
// a mismatch the actual picture and a difference picture are written to target/golden/browser/.
// Checks that do not depend on the stored file: the jewel is drawn (it covers at least 0.2 % of
// the picture), the picture's corners are backdrop, and Home puts a dragged jewel back exactly.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './serve.mjs';
import { decodePng, encodePng } from './png.mjs';
import { REPO, SITE, BACKEND_NAME, checkSite, launch, openPage, waitForEvent, eventCount, waitForStatus, composedPicture, dragJewelAway, changedFraction } from './harness.mjs';

const SIZE_PX = 256;
const CHANNEL_TOLERANCE = 12;
const MAX_DIFFERENT_FRACTION = 0.005;
const MAX_MEAN_ABS_DIFF = 1.5;
const BACKDROP_DELTA = 24;
const UPDATE = process.env.LOUPE_UPDATE_GOLDEN === '1';
const GOLDEN_DIR = path.join(REPO, 'tests', 'golden', 'browser');
const FAILURE_DIR = path.join(REPO, 'target', 'golden', 'browser');
const PIECES = fs.readdirSync(path.join(REPO, 'models')).filter((f) => f.endsWith('.glb')).map((f) => f.slice(0, -4)).sort();
const T = { timeout: 300_000 };

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/loupe-tryon.js"></script>
<style>body { margin: 0; } loupe-tryon { display: block; width: ${SIZE_PX}px; height: ${SIZE_PX}px; }</style>
</head><body><loupe-tryon mode="viewer" environment="models/studio.hdr" alt="golden image"></loupe-tryon></body></html>`;

let server;
let siteProblem = null;
try { checkSite(); } catch (e) { siteProblem = e.message; }
if (siteProblem) test('the site under test is built', () => { throw new Error(siteProblem); });

before(async () => {
  if (siteProblem) return;
  server = await startServer(SITE, 0, { files: { '/golden.html': Buffer.from(PAGE) } });
});
after(async () => { if (server) await server.close(); });

/** Largest channel difference of pixel i between two RGBA pictures. */
function channelDiff(a, b, i) {
  let d = 0;
  for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(a.data[i * 4 + c] - b.data[i * 4 + c]));
  return d;
}

/** Whether pixel i of `img` differs from the backdrop by more than BACKDROP_DELTA in a colour channel. */
function onJewel(img, backdrop, i) {
  for (let c = 0; c < 3; c++) if (Math.abs(img.data[i * 4 + c] - backdrop.data[i * 4 + c]) > BACKDROP_DELTA) return true;
  return false;
}

/** The box [x0, y0, x1, y1) of the pixels where `img` shows the jewel, grown by `grow` px; null if none. */
function jewelBounds(img, backdrop, grow = 8) {
  const { width: w, height: h } = img;
  let [x0, y0, x1, y1] = [w, h, 0, 0];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (onJewel(img, backdrop, y * w + x)) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1); }
    }
  }
  if (x1 <= x0) return null;
  return [Math.max(0, x0 - grow), Math.max(0, y0 - grow), Math.min(w, x1 + grow), Math.min(h, y1 + grow)];
}

/** The picture's four 15 px corner squares, as fractions for changedFraction. */
function cornerSquares(img) {
  const [w, h] = [15 / img.width, 15 / img.height];
  return [[0, 0, w, h], [1 - w, 0, 1, h], [0, 1 - h, w, 1], [1 - w, 1 - h, 1, 1]];
}

function compareWithGolden(backend, piece, actual, backdrop) {
  const file = path.join(GOLDEN_DIR, backend, `${piece}.png`);
  if (UPDATE) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, encodePng(actual.width, actual.height, actual.data));
    return;
  }
  assert.ok(fs.existsSync(file), `${file} is missing: render it with LOUPE_UPDATE_GOLDEN=1 and look at it`);
  const expected = decodePng(fs.readFileSync(file));
  assert.deepEqual([actual.width, actual.height], [expected.width, expected.height], `${piece}: size`);
  const box = jewelBounds(expected, backdrop);
  assert.ok(box, `${piece}: the stored picture shows no jewel`);
  const [x0, y0, x1, y1] = box;
  const diff = Buffer.alloc(actual.width * actual.height * 4);
  let different = 0;
  let absSum = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * actual.width + x;
      const d = channelDiff(actual, expected, i);
      for (let c = 0; c < 4; c++) absSum += Math.abs(actual.data[i * 4 + c] - expected.data[i * 4 + c]);
      if (d > CHANNEL_TOLERANCE) different++;
      const v = Math.min(255, d * 8);
      diff.set([v, v, v, 255], i * 4);
    }
  }
  const pixels = (x1 - x0) * (y1 - y0);
  const fraction = different / pixels;
  const mean = absSum / (pixels * 4);
  if (fraction > MAX_DIFFERENT_FRACTION || mean > MAX_MEAN_ABS_DIFF) {
    fs.mkdirSync(path.join(FAILURE_DIR, backend), { recursive: true });
    const base = path.join(FAILURE_DIR, backend, piece);
    fs.writeFileSync(`${base}.actual.png`, encodePng(actual.width, actual.height, actual.data));
    fs.writeFileSync(`${base}.diff.png`, encodePng(actual.width, actual.height, diff));
  }
  console.log(`# ${backend} ${piece}: ${(fraction * 100).toFixed(3)} % of the jewel's ${pixels} px differ, mean |Δ| ${mean.toFixed(2)}`);
  assert.ok(fraction <= MAX_DIFFERENT_FRACTION && mean <= MAX_MEAN_ABS_DIFF,
    `${backend} ${piece}: ${(fraction * 100).toFixed(2)} % of the jewel's pixels differ (limit ${MAX_DIFFERENT_FRACTION * 100} %), ` +
    `mean |Δ| ${mean.toFixed(2)} (limit ${MAX_MEAN_ABS_DIFF}); see target/golden/browser/${backend}/${piece}.actual.png and .diff.png`);
}

for (const backend of siteProblem ? [] : ['webgpu', 'webgl']) {
  describe(`${backend} backend: catalogue golden images`, () => {
    let browser;
    before(async () => { browser = await launch(backend, { camera: 'none', viewport: { width: 400, height: 400 } }); });
    after(async () => { if (browser) await browser.close(); });

    test(`every piece in models/ matches its stored picture (${PIECES.length} pieces)`, T, async () => {
      const p = await openPage(browser.context, null);
      const { page } = p;
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto(new URL('golden.html', server.url).href);
      const failures = [];
      let backdrop = null;
      for (const piece of PIECES) {
        const from = await eventCount(page);
        await page.evaluate((src) => { document.querySelector('loupe-tryon').src = src; }, `models/${piece}.glb`);
        await waitForEvent(page, 'load', { from, timeout: 60_000 });
        await waitForStatus(page, 'ready', 'loupe-tryon', 60_000);
        assert.equal(await page.evaluate(() => document.querySelector('loupe-tryon').backend), BACKEND_NAME[backend],
          'the backend that actually ran');
        const picture = await composedPicture(page);
        if (!backdrop) {
          // The backdrop alone: the first piece dragged out of the view, then put back (Home).
          await dragJewelAway(page);
          backdrop = await composedPicture(page);
          await page.locator('loupe-tryon').focus();
          await page.keyboard.press('Home');
          const again = await composedPicture(page);
          assert.ok(Buffer.from(again.data).equals(Buffer.from(picture.data)), `${piece}: Home does not put the jewel back where it was`);
        }
        const covered = changedFraction(picture, backdrop, [0, 0, 1, 1], BACKDROP_DELTA);
        const cornersClean = cornerSquares(picture).every((r) => changedFraction(picture, backdrop, r, BACKDROP_DELTA) === 0);
        try {
          assert.ok(covered >= 0.002, `${piece}: the jewel covers ${(covered * 100).toFixed(2)} % of the picture`);
          assert.ok(cornersClean, `${piece}: a corner of the picture is not backdrop`);
          compareWithGolden(backend, piece, picture, backdrop);
        } catch (e) {
          failures.push(e.message);
        }
      }
      assert.deepEqual(failures, [], failures.join('\n'));
      p.assertClean();
      await page.close();
    });
  });
}
