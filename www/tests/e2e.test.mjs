// End-to-end tests of the demo page and <loupe-tryon> in headless Chromium, against the built site
// (LOUPE_SITE, default <repo>/target/site, with the real wasm builds in pkg/). Every suite runs twice:
// on WebGPU and on WebGL2 (both through SwiftShader), and asserts which backend actually ran.
//
//   node --test www/tests/
//
// How "the jewel is drawn" is checked (jewelCheck below): take a picture of the element, then drag
// the jewel out of the view with the mouse and take a second picture of the *same* background (the
// camera video is paused first, so both pictures use one camera frame; in viewer mode the backdrop is
// static). The jewel's default box (40 % of the shorter side, centred, grown 1.5× for the stone and
// shading) must change in at least 2 % of its pixels by more than 24/255 in some channel, and each
// corner square must change in under 1 % of its pixels: so the difference is the jewel and nothing
// else. Threshold reasons: a 20 mm ring drawn 40 % of a 460 px box high covers well over 5 % of that
// box even edge-on on the turntable; video noise is frozen; anti-aliasing differences are < 24/255.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './serve.mjs';
import { decodePng, encodePng, lumaStats } from './png.mjs';
import {
  SITE, E2E_DIR, BACKEND_NAME, checkSite, fakeCameraY4m, launch, openPage, events, waitForEvent, eventCount,
  waitForStatus, waitFrames, frameCount, shot, changedFraction, jewelBox, cornerRects, meanColor, dragJewelAway,
} from './harness.mjs';

const T = { timeout: 90_000 };
// The card flow under software WebGPU on a 2-core machine: the camera frame renders about once a
// second and card detection shares the main thread, so each of the eight handle drags waits on
// both (45 s alone, 76 s late in a full run). A guard against a hang, not a speed target.
const T_CARD = { timeout: 180_000 };
const JEWEL_MIN_CHANGED = 0.02;
const CORNER_MAX_CHANGED = 0.01;

let server;
let currentBackend = '';
let siteProblem = null;
try { checkSite(); } catch (e) { siteProblem = e.message; }
if (siteProblem) test('the site under test is built', () => { throw new Error(siteProblem); });

before(async () => {
  if (siteProblem) return;
  fakeCameraY4m();
  // A truncated copy of the sample ring, served from memory (the site is not modified).
  const glb = fs.readFileSync(path.join(SITE, 'models/sample-ring.glb'));
  server = await startServer(SITE, 0, { files: { '/models/truncated.glb': glb.subarray(0, Math.floor(glb.length / 2)) } });
});
after(async () => { if (server) await server.close(); });

async function pause(ms) { await new Promise((r) => setTimeout(r, ms)); }

/** Opens the demo page and waits for the first model load. */
async function openDemo(context, opts = {}) {
  const p = await openPage(context, server.url, opts);
  await waitForEvent(p.page, 'load');
  await waitForStatus(p.page, 'ready');
  await waitFrames(p.page, 2);
  return p;
}

/** Starts the fake camera. These tests place the jewel by hand, so hand tracking is off
 *  (tracking.test.mjs covers it). */
async function startCamera(page) {
  const from = await eventCount(page);
  const started = await page.evaluate(() => {
    const el = document.querySelector('loupe-tryon');
    el.tracking = 'off';
    return el.startCamera();
  });
  assert.equal(started, true, 'startCamera() resolves true');
  const ev = await waitForEvent(page, 'camera-start', { from });
  await waitForStatus(page, 'camera');
  await waitFrames(page, 3);
  return ev;
}

/** Pauses the camera video so that the following pictures share one camera frame, and redraws. */
async function freezeCamera(page, selector = 'loupe-tryon') {
  await page.evaluate(async (sel) => {
    const el = document.querySelector(sel);
    el.shadowRoot.querySelector('video').pause();
    await new Promise((r) => setTimeout(r, 100));
    await el.toBlob(); // draws a frame with the (now fixed) current video frame
  }, selector);
}

/** Picture with the jewel, then the same background with the jewel dragged away (see header). */
async function jewelCheck(page, selector = 'loupe-tryon', { frozen = false } = {}) {
  await page.locator(selector).scrollIntoViewIfNeeded();
  if (!frozen) await waitFrames(page, 2, selector); // a paused video draws only on changes
  const withJewel = await shot(page, selector);
  const before = await frameCount(page, selector);
  await dragJewelAway(page, selector);
  await waitFrames(page, 1, selector, 10000, before);
  const without = await shot(page, selector);
  // put it back for later checks (keyboard: Home resets the placement)
  await page.locator(selector).focus();
  await page.keyboard.press('Home');
  const jewel = changedFraction(withJewel, without, jewelBox(withJewel));
  const corners = cornerRects(withJewel).map((r) => changedFraction(withJewel, without, r));
  return { jewel, corners, withJewel, without };
}

/** On failure, the two pictures are written to target/e2e/failures/ for a look. */
function assertJewel({ jewel, corners, withJewel, without }, what) {
  const bad = jewel < JEWEL_MIN_CHANGED || corners.some((c) => c > CORNER_MAX_CHANGED);
  if (bad && withJewel && without) {
    const dir = path.join(E2E_DIR, 'failures');
    fs.mkdirSync(dir, { recursive: true });
    const base = path.join(dir, `${currentBackend}-${what.replace(/[^a-z0-9]+/gi, '-')}`);
    fs.writeFileSync(`${base}-with-jewel.png`, encodePng(withJewel.width, withJewel.height, withJewel.data));
    fs.writeFileSync(`${base}-jewel-moved-away.png`, encodePng(without.width, without.height, without.data));
    console.log(`# pictures written: ${base}-*.png`);
  }
  assert.ok(jewel >= JEWEL_MIN_CHANGED,
    `${what}: the jewel box changed in only ${(jewel * 100).toFixed(2)} % of its pixels when the jewel was dragged away (need ≥ ${JEWEL_MIN_CHANGED * 100} %): no jewel drawn, or moveBy does not move it`);
  for (const c of corners) {
    assert.ok(c <= CORNER_MAX_CHANGED, `${what}: a corner changed in ${(c * 100).toFixed(2)} % of its pixels (max ${CORNER_MAX_CHANGED * 100} %): the background was not the same`);
  }
}

for (const backend of siteProblem ? [] : ['webgpu', 'webgl']) {
  describe(`${backend} backend`, () => {
    let browser;
    before(async () => { currentBackend = backend; browser = await launch(backend, { camera: 'fake' }); });
    after(async () => { if (browser) await browser.close(); });

    test('demo page loads: status ready, load event with the URL, expected backend', T, async () => {
      const p = await openDemo(browser.context);
      const { page } = p;
      const loads = await events(page, 'load');
      assert.equal(loads.length, 1);
      assert.ok(loads[0].detail.url.endsWith('/models/sample-ring.glb'), `load url: ${loads[0].detail.url}`);
      const progress = await events(page, 'progress');
      assert.ok(progress.length >= 1, 'progress events fired');
      assert.equal(progress.at(-1).detail.fraction, 1, 'progress ends with 1');
      assert.ok(progress.every((e) => e.detail.fraction >= 0 && e.detail.fraction <= 1));
      const state = await page.evaluate(() => {
        const el = document.querySelector('loupe-tryon');
        return {
          backend: el.backend, status: el.getAttribute('status'), mode: el.mode, frames: el.framesRendered,
          firstFrameMs: el.firstFrameMs, mark: performance.getEntriesByName('loupe:first-frame').length,
          posterHidden: el.shadowRoot.querySelector('[part=poster]').hidden,
          log: document.getElementById('log').textContent,
        };
      });
      assert.equal(state.backend, BACKEND_NAME[backend], 'the backend that actually ran');
      assert.equal(state.status, 'ready');
      assert.equal(state.mode, 'viewer');
      assert.ok(state.frames > 0, 'frames rendered');
      assert.ok(state.firstFrameMs > 0, 'firstFrameMs measured');
      assert.equal(state.mark, 1, 'performance mark loupe:first-frame');
      assert.ok(state.posterHidden, 'poster hidden after the first frame');
      assert.match(state.log, /load .*sample-ring\.glb/, 'event log panel shows the load');
      assertJewel(await jewelCheck(page), 'viewer mode');
      p.assertClean();
      await page.close();
    });

    test('camera mode: camera-start, status camera, the background is the moving video', T, async () => {
      const p = await openDemo(browser.context);
      const { page } = p;
      const ev = await startCamera(page);
      assert.equal(ev.detail.source, 'camera');
      assert.equal(await page.evaluate(() => document.querySelector('loupe-tryon').getAttribute('status')), 'camera');
      // The fixture moves at 15 fps; SwiftShader may draw a frame a second or less under load,
      // so the second picture is taken after a few drawn frames, up to 8 s.
      const a = await shot(page);
      let b, moved = 0;
      for (const started = Date.now(); moved <= 0.01 && Date.now() - started < 8000;) {
        await pause(700);
        await waitFrames(page, 2);
        b = await shot(page);
        moved = changedFraction(a, b, [0, 0, 1, 1]);
      }
      // Rarely (1 run in 10 or so, on WebGPU) the picture stays still for the whole 8 s while
      // frames are drawn: whether the camera's video itself stood still says where to look.
      const video = moved > 0.01 ? '' : await page.evaluate(async () => {
        const v = document.querySelector('loupe-tryon').shadowRoot.querySelector('video');
        const t = v.currentTime;
        await new Promise((r) => setTimeout(r, 1000));
        const track = v.srcObject?.getVideoTracks?.()[0];
        return `; video time ${t.toFixed(2)} s, 1 s later ${v.currentTime.toFixed(2)} s, paused ${v.paused}, ready state ${v.readyState}, track ${track?.readyState} (muted ${track?.muted})`;
      });
      assert.ok(moved > 0.01, `pictures up to 8 s apart differ in only ${(moved * 100).toFixed(2)} % of pixels: the camera video is not shown or not updating${video}`);
      // The fixture's wall is light blue: the top corners must be blue, not the neutral backdrop.
      for (const r of cornerRects(b).slice(0, 2)) {
        const [R, , B] = meanColor(b, r);
        assert.ok(B - R > 25, `top corner colour ${meanColor(b, r).map(Math.round)} is not the video's blue wall`);
      }
      p.assertClean();
      await page.close();
    });

    test('camera mode: the jewel is drawn over the camera frame', T, async () => {
      const p = await openDemo(browser.context);
      const { page } = p;
      await startCamera(page);
      await freezeCamera(page);
      const r = await jewelCheck(page, 'loupe-tryon', { frozen: true });
      assertJewel(r, 'camera mode');
      p.assertClean();
      await page.close();
    });

    test('camera light: the blue wall of the video cools the jewel; without it the studio light returns', T, async () => {
      const p = await openDemo(browser.context);
      const { page } = p;
      await startCamera(page);
      await pause(1500); // the room light settles (0.4 s time constant)
      await freezeCamera(page);
      const room = await shot(page);
      await page.evaluate(async () => {
        const el = document.querySelector('loupe-tryon');
        el._sampleRoomLight = () => {};
        el._viewer.clearCameraLight();
        await el.toBlob(); // draws a frame
      });
      const studio = await shot(page);
      // The background is the same frozen frame: the pixels that differ are the jewel's.
      let n = 0, roomBlue = 0, studioBlue = 0;
      for (let i = 0; i < room.data.length; i += 4) {
        const d = [0, 1, 2].map((c) => Math.abs(room.data[i + c] - studio.data[i + c]));
        if (Math.max(...d) <= 8) continue;
        n++;
        roomBlue += room.data[i + 2] - room.data[i];
        studioBlue += studio.data[i + 2] - studio.data[i];
      }
      assert.ok(n > 300, `only ${n} pixels changed with the room light: it does not reach the jewel`);
      roomBlue /= n; studioBlue /= n;
      assert.ok(roomBlue > studioBlue + 5, `blue − red on the jewel: ${roomBlue.toFixed(1)} with the room light, ${studioBlue.toFixed(1)} without`);
      p.assertClean();
      await page.close();
    });

    test('toBlob() gives a PNG with the video and the jewel', T, async () => {
      const p = await openDemo(browser.context);
      const { page } = p;
      await startCamera(page);
      await freezeCamera(page);
      const grab = () => page.evaluate(async () => {
        const blob = await document.querySelector('loupe-tryon').toBlob();
        const url = await new Promise((r) => { const f = new FileReader(); f.onload = () => r(f.result); f.readAsDataURL(blob); });
        return { type: blob.type, base64: url.slice(url.indexOf(',') + 1) };
      });
      const a = await grab();
      assert.equal(a.type, 'image/png');
      const withJewel = decodePng(Buffer.from(a.base64, 'base64'));
      const size = await page.evaluate(() => { const c = document.querySelector('loupe-tryon').shadowRoot.querySelector('canvas'); return [c.width, c.height]; });
      assert.deepEqual([withJewel.width, withJewel.height], size, 'PNG has the canvas size');
      // the video: not blank, not black, not uniform, and the fixture's blue wall at the top corners
      const bg = lumaStats(withJewel);
      assert.ok(bg.mean > 30, `picture is (nearly) black: mean luma ${bg.mean.toFixed(1)}`);
      assert.ok(bg.std > 8, `picture is uniform: luma std ${bg.std.toFixed(1)}`);
      for (const r of cornerRects(withJewel).slice(0, 2)) {
        const [R, , B] = meanColor(withJewel, r);
        assert.ok(B - R > 25, `top corner colour ${meanColor(withJewel, r).map(Math.round)} is not the video's blue wall`);
      }
      // the jewel: the same frame without the jewel differs in the jewel's box only
      await dragJewelAway(page);
      const without = decodePng(Buffer.from((await grab()).base64, 'base64'));
      assertJewel({
        withJewel, without,
        jewel: changedFraction(withJewel, without, jewelBox(withJewel)),
        corners: cornerRects(withJewel).map((r) => changedFraction(withJewel, without, r)),
      }, 'toBlob');
      p.assertClean();
      await page.close();
    });

    test('bad models: 404 and truncated GLB give model-load errors; a good src loads again', T, async () => {
      const p = await openDemo(browser.context, { allow: [/404 \(Not Found\)/] });
      const { page } = p;
      const setSrc = (s, sel = 'loupe-tryon') => page.evaluate(([v, q]) => { document.querySelector(q).src = v; }, [s, sel]);

      let from = await eventCount(page);
      await setSrc('models/does-not-exist.glb');
      let err = await waitForEvent(page, 'error', { from, match: { type: 'model-load' } });
      assert.match(err.detail.message, /does-not-exist\.glb/, 'message names the URL');
      assert.match(err.detail.message, /404/, 'message gives the reason');
      await waitForStatus(page, 'ready'); // the previous model is still there
      assertJewel(await jewelCheck(page), 'previous model kept after a 404');

      from = await eventCount(page);
      await setSrc('models/truncated.glb');
      err = await waitForEvent(page, 'error', { from, match: { type: 'model-load' } });
      assert.match(err.detail.message, /truncated\.glb/, 'message names the URL');
      assert.ok(err.detail.message.length > 'Could not load model '.length + 30, `message gives a reason: ${err.detail.message}`);
      await waitForStatus(page, 'ready');

      from = await eventCount(page);
      await setSrc('models/sample-ring.glb');
      const load = await waitForEvent(page, 'load', { from });
      assert.ok(load.detail.url.endsWith('/models/sample-ring.glb'));
      assertJewel(await jewelCheck(page), 'good model after errors');

      // A fresh element whose first src fails: status error, then a good src loads and draws.
      from = await eventCount(page);
      await page.evaluate(() => {
        const old = document.querySelector('loupe-tryon');
        const el = document.createElement('loupe-tryon');
        el.id = 'fresh';
        el.style.height = '460px';
        el.src = 'models/missing-too.glb';
        old.replaceWith(el);
      });
      err = await waitForEvent(page, 'error', { from, match: { type: 'model-load' } });
      assert.match(err.detail.message, /missing-too\.glb/);
      await waitForStatus(page, 'error', '#fresh');
      from = await eventCount(page);
      await setSrc('models/sample-ring.glb', '#fresh');
      await waitForEvent(page, 'load', { from });
      await waitForStatus(page, 'ready', '#fresh');
      assertJewel(await jewelCheck(page, '#fresh'), 'fresh element after a failed first model');
      p.assertClean();
      await page.close();
    });

    // Five looks, three pictures each: 40–85 s on SwiftShader's WebGL2 with two cores.
    test('material variants: the catalogue solitaire switches from platinum to yellow gold and back', { timeout: 180_000 }, async () => {
      const p = await openDemo(browser.context);
      const { page } = p;
      let from = await eventCount(page);
      // The metal is what changes: the stone at its lowest effort keeps SwiftShader's frames short.
      await page.evaluate(() => {
        const el = document.querySelector('loupe-tryon');
        el.setAttribute('gem-quality', 'low');
        el.src = 'models/solitaire-us7-1ct.glb';
      });
      const load = await waitForEvent(page, 'load', { from });
      assert.deepEqual(load.detail.variants, ['platinum', 'yellow-gold'], 'load event lists the variants');
      assert.equal(load.detail.gems, 1, 'the stone is recognised as a gem');
      assert.deepEqual(await page.evaluate(() => document.querySelector('loupe-tryon').variants), ['platinum', 'yellow-gold']);
      // Warm pixels: the share of the jewel's box where red exceeds blue by more than 40/255 (gold
      // metal; platinum, the stone and the neutral backdrop stay far below), over three turntable
      // moments.
      const warmth = async () => {
        let warm = 0, n = 0;
        for (let i = 0; i < 3; i++) {
          await waitFrames(page, 2);
          const img = await shot(page);
          const [x0, y0, x1, y1] = jewelBox(img).map((f, k) => Math.round(f * (k % 2 ? img.height : img.width)));
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
            const j = (y * img.width + x) * 4;
            if (img.data[j] - img.data[j + 2] > 40) warm++;
            n++;
          }
          await pause(250);
        }
        return warm / n;
      };
      const platinum = await warmth();
      await page.evaluate(() => { document.querySelector('loupe-tryon').variant = 'yellow-gold'; });
      const gold = await warmth();
      assert.ok(gold > 0.01 && gold > 5 * platinum,
        `yellow gold shows warm metal: ${(gold * 100).toFixed(2)} % of the box vs ${(platinum * 100).toFixed(2)} % for platinum`);
      // An unknown name shows the default look (and warns on the console), as does removing it.
      await page.evaluate(() => { document.querySelector('loupe-tryon').variant = 'unobtainium'; });
      const unknown = await warmth();
      assert.ok(unknown < gold / 5, `unknown variant falls back to the default look: ${(unknown * 100).toFixed(2)} %`);
      await page.evaluate(() => { document.querySelector('loupe-tryon').variant = 'yellow-gold'; });
      assert.ok(await warmth() > 0.01, 'yellow gold again');
      await page.evaluate(() => { document.querySelector('loupe-tryon').removeAttribute('variant'); });
      assert.ok(await warmth() < gold / 5, 'attribute removed: default look');
      p.assertClean();
      await page.close();
    });

    test('sparkle: the stone glows when sparkle is on; nothing gets darker, the corners stay', T, async () => {
      // Reduced motion stops the turntable, so the two pictures differ by the bloom alone.
      const p = await openPage(browser.context, null);
      const { page } = p;
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto(server.url);
      await waitForEvent(page, 'load');
      let from = await eventCount(page);
      await page.evaluate(() => {
        const el = document.querySelector('loupe-tryon');
        el.setAttribute('gem-quality', 'low');
        el.sparkle = 0;
        el.src = 'models/solitaire-us7-1ct.glb';
      });
      await waitForEvent(page, 'load', { from });
      await waitForStatus(page, 'ready');
      // Still, the element draws only when something changes.
      await pause(1500);
      const off = await shot(page);
      const start = await frameCount(page);
      await page.evaluate(() => { document.querySelector('loupe-tryon').sparkle = 1; });
      await waitFrames(page, 1, 'loupe-tryon', 20_000, start);
      await pause(500);
      const on = await shot(page);
      let brighter = 0, darker = 0, maxGain = 0;
      const corners = cornerRects(on);
      let inCorners = 0;
      for (let y = 0; y < on.height; y++) for (let x = 0; x < on.width; x++) {
        const j = (y * on.width + x) * 4;
        let gain = 0, loss = 0;
        for (let c = 0; c < 3; c++) {
          gain = Math.max(gain, on.data[j + c] - off.data[j + c]);
          loss = Math.max(loss, off.data[j + c] - on.data[j + c]);
        }
        if (loss > 3) darker++;
        if (gain > 8) {
          brighter++;
          const fx = x / on.width, fy = y / on.height;
          if (corners.some(([x0, y0, x1, y1]) => fx >= x0 && fx < x1 && fy >= y0 && fy < y1)) inCorners++;
        }
        maxGain = Math.max(maxGain, gain);
      }
      const report = `${brighter} px brighter (max +${maxGain}), ${darker} darker, ${inCorners} brighter in the corners`;
      console.log(`sparkle on ${currentBackend}: ${report}`);
      assert.ok(brighter >= 30 && maxGain >= 20, `the brightest glints glow: ${report}`);
      assert.ok(darker <= 0.002 * on.width * on.height, `the bloom only adds light: ${report}`);
      assert.equal(inCorners, 0, `only the stone glows: ${report}`);
      p.assertClean();
      await page.close();
    });

    test('screen ring sizer: card width stored per device, a ring read in every system, size-measured', T, async () => {
      const p = await openDemo(browser.context);
      const { page } = p;
      const shadow = (sel) => page.locator('loupe-tryon').locator(sel);
      const setRange = (v) => page.evaluate((value) => {
        const r = document.querySelector('loupe-tryon').shadowRoot.querySelector('.calib input[type=range]');
        r.value = String(value);
        r.dispatchEvent(new Event('input'));
      }, v);
      await page.evaluate(() => { localStorage.clear(); document.querySelector('loupe-tryon').calibration = 'screen'; });
      await shadow('.sizer').waitFor();
      // 342.4 CSS px for 85.60 mm: 4 CSS px per mm.
      await setRange(342.4);
      await shadow('[data-action=save]').click();
      const stored = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith('loupe:css-px-per-mm:')));
      assert.ok(stored, 'the screen calibration is stored');
      assert.ok(Math.abs(parseFloat(stored[1]) - 4) < 1e-4, `stored ${stored[1]} CSS px per mm`);
      // US 7 is 17.32 mm inside: 69.28 CSS px at 4 px per mm.
      await setRange(69.28);
      assert.match(await shadow('.calib-panel p[role=status]').textContent(), /^US 7 ± 0\.75 \(17\.32 mm inside\)$/);
      const from = await eventCount(page);
      await shadow('[data-action=done]').click();
      const ev = await waitForEvent(page, 'size-measured', { from });
      assert.equal(ev.detail.system, 'us');
      assert.equal(ev.detail.size, '7');
      assert.equal(ev.detail.uncertainty, 0.75);
      assert.ok(Math.abs(ev.detail.diameterMm - 17.32) < 0.01, `diameter ${ev.detail.diameterMm}`);
      assert.equal(ev.detail.sizes.uk, 'N½');
      assert.equal(ev.detail.sizes.eu, '54');
      assert.ok(await shadow('.calib').isHidden(), 'the sizer closes');
      // Opened again, it goes straight to the ring with the stored calibration.
      await page.evaluate(() => document.querySelector('loupe-tryon').calibrate('screen'));
      await shadow('[data-action=recalibrate]').waitFor();
      await shadow('[data-action=cancel]').click();
      assert.ok(await shadow('.calib').isHidden());
      p.assertClean();
      await page.close();
    });

    test('card by hand on the camera: calibrated event and px-per-mm; a degenerate placement is refused', T_CARD, async () => {
      const p = await openDemo(browser.context);
      const { page } = p;
      const shadow = (sel) => page.locator('loupe-tryon').locator(sel);
      await startCamera(page);
      await page.evaluate(() => { document.querySelector('loupe-tryon').calibration = 'card'; });
      // The bundled clip holds no card: detection runs, says so, and asks for a nearer card in
      // case it is there but small (most misses are).
      await page.waitForFunction(() => /Looking for a card.*nearer if it looks small/.test(
        document.querySelector('loupe-tryon').shadowRoot.querySelector('.calib-panel p[role=status]')?.textContent || ''), null, { timeout: 15000 });
      assert.ok(await shadow('[data-action=use]').isDisabled(), 'no card, nothing to use');
      const placeCorners = async (targets) => {
        const box = await page.locator('loupe-tryon').boundingBox();
        const handles = shadow('.handle');
        assert.equal(await handles.count(), 4);
        for (let i = 0; i < 4; i++) {
          const hb = await handles.nth(i).boundingBox();
          await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
          await page.mouse.down();
          await page.mouse.move(box.x + targets[i][0], box.y + targets[i][1], { steps: 4 });
          await page.mouse.up();
        }
      };
      await shadow('[data-action=manual]').click();
      // A frontal card 171.2 × 107.96 CSS px: 2 CSS px per mm, whatever the camera's resolution.
      await placeCorners([[200, 100], [371.2, 100], [371.2, 207.96], [200, 207.96]]);
      let from = await eventCount(page);
      await shadow('[data-action=use]').click();
      const ev = await waitForEvent(page, 'calibrated', { from });
      assert.equal(ev.detail.method, 'card');
      assert.equal(ev.detail.manual, true);
      assert.ok(Math.abs(ev.detail.pxPerMm - 2) < 0.01, `pxPerMm ${ev.detail.pxPerMm}`);
      assert.ok(ev.detail.confidence > 0.9, `confidence ${ev.detail.confidence}`);
      assert.ok(ev.detail.framePxPerMm > 0 && ev.detail.framePxPerMm !== ev.detail.pxPerMm, 'frame px differ from CSS px');
      assert.ok(Math.abs(await page.evaluate(() => document.querySelector('loupe-tryon').pxPerMm) - 2) < 0.01, 'px-per-mm is set');
      assert.ok(await shadow('.calib').isHidden(), 'the flow closes');
      // Three corners on one line: refused with a message, the handles stay for another try.
      await page.evaluate(() => document.querySelector('loupe-tryon').calibrate('card'));
      await shadow('[data-action=manual]').click();
      await placeCorners([[100, 100], [200, 100], [300, 100], [200, 250]]);
      from = await eventCount(page);
      await shadow('[data-action=use]').click();
      const refused = await waitForEvent(page, 'error', { from, match: { type: 'calibration' } });
      assert.match(refused.detail.message, /line|convex/);
      assert.match(await shadow('.calib-error').textContent(), /cannot be a card/);
      assert.equal(await shadow('.handle').count(), 4, 'the handles stay');
      assert.ok(Math.abs(await page.evaluate(() => document.querySelector('loupe-tryon').pxPerMm) - 2) < 0.01, 'the scale is kept');
      await shadow('[data-action=cancel]').click();
      assert.equal(await page.evaluate(() => document.querySelector('loupe-tryon').getAttribute('status')), 'camera');
      p.assertClean();
      await page.close();
    });

    // WebGL lets a page lose its context on purpose (WEBGL_lose_context), so this runs for real on
    // the WebGL2 build; WebGPU's device loss goes through wgpu's device-lost callback instead.
    if (backend === 'webgl') {
      test('lost WebGL context: context-lost event, the viewer is rebuilt and the jewel drawn again', T, async () => {
        const p = await openDemo(browser.context, { allow: [/context/i, /WebGL/i] });
        const { page } = p;
        const from = await eventCount(page);
        const lost = await page.evaluate(() => {
          const c = document.querySelector('loupe-tryon').shadowRoot.querySelector('canvas');
          const ext = c.getContext('webgl2')?.getExtension('WEBGL_lose_context');
          if (!ext) return false;
          ext.loseContext();
          return true;
        });
        assert.ok(lost, 'the canvas has a WebGL2 context that can be lost');
        await waitForEvent(page, 'error', { from, match: { type: 'context-lost' } });
        await waitForStatus(page, 'ready');
        await waitFrames(page, 3);
        assertJewel(await jewelCheck(page), 'jewel drawn again after a lost context');
        p.assertClean();
        await page.close();
      });
    }

    test('card in a photo: detected, then followed frame to frame (trackCard), and used', T_CARD, async () => {
      const p = await openDemo(browser.context);
      const { page } = p;
      const shadow = (sel) => page.locator('loupe-tryon').locator(sel);
      // A light card 400 px wide (4.673 px per mm), turned 0.2 rad, on a dark textured floor: a
      // 1280×720 photo drawn in the page.
      await page.evaluate(async () => {
        const c = new OffscreenCanvas(1280, 720);
        const g = c.getContext('2d');
        g.fillStyle = '#2a2a2e'; g.fillRect(0, 0, 1280, 720);
        for (let i = 0; i < 600; i++) { g.fillStyle = i % 2 ? '#35353a' : '#232327'; g.fillRect((i * 97) % 1280, (i * 61) % 720, 6, 3); }
        const cw = 400, ch = cw * 53.98 / 85.6;
        g.translate(640, 360); g.rotate(0.2);
        g.fillStyle = '#e6e2da'; g.beginPath(); g.roundRect(-cw / 2, -ch / 2, cw, ch, cw * 3.18 / 85.6); g.fill();
        await document.querySelector('loupe-tryon').setPhoto(await c.convertToBlob());
        document.querySelector('loupe-tryon').calibration = 'card';
      });
      const outline = shadow('[part=calibration-outline]');
      // Found by a fresh search, then followed from frame to frame.
      await page.waitForFunction(() => document.querySelector('loupe-tryon').shadowRoot
        .querySelector('[part=calibration-outline]')?.dataset.source === 'tracked', null, { timeout: 30000 });
      assert.ok(await outline.isVisible(), 'the outline is shown');
      await page.waitForFunction(() => /Card found \(confidence/.test(
        document.querySelector('loupe-tryon').shadowRoot.querySelector('.calib-panel p[role=status]')?.textContent || ''), null, { timeout: 15000 });
      const from = await eventCount(page);
      await shadow('[data-action=use]').click();
      const ev = await waitForEvent(page, 'calibrated', { from });
      assert.equal(ev.detail.method, 'card');
      assert.equal(ev.detail.manual, false);
      assert.ok(Math.abs(ev.detail.framePxPerMm / (400 / 85.6) - 1) < 0.01, `framePxPerMm ${ev.detail.framePxPerMm}`);
      assert.ok(ev.detail.confidence >= 0.5, `confidence ${ev.detail.confidence}`);
      assert.ok(await shadow('.calib').isHidden(), 'the flow closes');
      p.assertClean();
      await page.close();
    });

    test('camera denied: camera-denied event, viewer mode, still drawing', T, async () => {
      const denied = await launch(backend, { camera: 'deny' });
      try {
        const p = await openDemo(denied.context);
        const { page } = p;
        const from = await eventCount(page);
        const started = await page.evaluate(() => document.querySelector('loupe-tryon').startCamera());
        assert.equal(started, false);
        const err = await waitForEvent(page, 'error', { from });
        assert.equal(err.detail.type, 'camera-denied', `error type ${err.detail.type}: ${err.detail.message}`);
        const state = await page.evaluate(() => { const el = document.querySelector('loupe-tryon'); return { mode: el.getAttribute('mode'), status: el.status }; });
        assert.deepEqual(state, { mode: 'viewer', status: 'ready' });
        assert.equal((await events(page, 'camera-start')).length, 0);
        await waitFrames(page, 5); // the turntable keeps drawing
        assertJewel(await jewelCheck(page), 'viewer mode after camera denied');
        p.assertClean();
        await page.close();
      } finally {
        await denied.close();
      }
    });

    test('no GPU: gpu-unavailable, status error, poster shown, no uncaught errors', T, async () => {
      const p = await openPage(browser.context, null, {
        // The wasm module may log why it found no adapter/context; anything else is a failure.
        allow: [/webgl|webgpu|gpu|adapter|context/i],
        init: () => {
          for (const C of [globalThis.HTMLCanvasElement, globalThis.OffscreenCanvas]) {
            if (!C) continue;
            const orig = C.prototype.getContext;
            C.prototype.getContext = function (type, ...rest) {
              return /^(webgl2?|experimental-webgl|webgpu)$/.test(type) ? null : orig.call(this, type, ...rest);
            };
          }
          Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
        },
      });
      const { page } = p;
      await page.goto(server.url);
      const err = await waitForEvent(page, 'error');
      assert.equal(err.detail.type, 'gpu-unavailable', `error type ${err.detail.type}: ${err.detail.message}`);
      await waitForStatus(page, 'error');
      await pause(300);
      const state = await page.evaluate(() => {
        const el = document.querySelector('loupe-tryon');
        return { posterHidden: el.shadowRoot.querySelector('[part=poster]').hidden, backend: el.backend, frames: el.framesRendered };
      });
      assert.equal(state.posterHidden, false, 'the poster is shown instead');
      assert.equal(state.backend, null);
      assert.equal(state.frames, 0);
      const errors = await events(page, 'error');
      assert.deepEqual(errors.map((e) => e.detail.type), ['gpu-unavailable'], 'exactly one error event');
      assert.equal((await events(page, 'load')).length, 0);
      p.assertClean();
      await page.close();
    });
  });
}
