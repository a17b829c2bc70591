// ELEMENT LOGIC TESTS AGAINST THE MOCK wasm module (www/tests/mock-pkg/loupe.js), NOT the real build.
// They check the element's own behaviour (races, lifecycle, context loss, keyboard, fallbacks) with a
// 2D-canvas stand-in whose internals can be inspected; the real pixels are e2e.test.mjs's job.
// They build their own mock site in a temporary folder, so they run without target/site.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDevSite, makeRingGlb } from './dev-site.mjs';
import { startServer } from './serve.mjs';
import { launch, openPage, waitForEvent, waitForStatus, waitFrames, eventCount, events } from './harness.mjs';

const T = { timeout: 60_000 };
let server, browser, dir;

before(async () => {
  dir = buildDevSite(fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-mock-site-')));
  const page = (body) => `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<style>body{margin:0} loupe-tryon{width:400px;height:300px}</style>
<script type="module" src="loupe-tryon.js"></script>${body}`;
  server = await startServer(dir, 0, {
    files: {
      '/models/slow.glb': makeRingGlb({ innerMm: 30 }),
      '/models/other.glb': makeRingGlb({ innerMm: 15 }),
      '/one.html': page('<loupe-tryon id="a" src="models/sample-ring.glb" alt="ring"></loupe-tryon>'),
      '/empty.html': page(''),
    },
    delays: { '/models/slow.glb': 800 },
  });
  browser = await launch('webgl', { camera: 'fake' });
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function one(opts) {
  const p = await openPage(browser.context, `${server.url}one.html`, opts);
  await waitForEvent(p.page, 'load');
  await waitForStatus(p.page, 'ready');
  return p;
}
const live = (page) => page.evaluate(() => globalThis.__loupeMockLiveViewers);

describe('element logic (mock wasm)', () => {
  test('src changed during a load: the last one wins, the stale one is dropped', T, async () => {
    const { page, assertClean } = await one();
    const from = await eventCount(page);
    await page.evaluate(() => { const el = document.getElementById('a'); el.src = 'models/slow.glb'; setTimeout(() => { el.src = 'models/other.glb'; }, 50); });
    const load = await waitForEvent(page, 'load', { from });
    assert.match(load.detail.url, /other\.glb$/);
    await page.waitForTimeout(1200); // the slow response arrives (or is aborted) meanwhile
    const after = (await events(page)).slice(from).filter((e) => e.type === 'load' || e.type === 'error');
    assert.deepEqual(after.map((e) => e.detail.url.split('/').pop()), ['other.glb']);
    assert.equal(Math.round((await page.evaluate(() => document.getElementById('a').modelInfo.sizeMm[0]))), 19);
    assertClean();
    await page.close();
  });

  test('removed and re-added: viewer freed, then one viewer and one loop again', T, async () => {
    const { page, assertClean } = await one();
    assert.equal(await live(page), 1);
    await page.evaluate(() => { window.__el = document.getElementById('a'); window.__el.remove(); });
    await page.waitForTimeout(100);
    assert.equal(await live(page), 0, 'viewer freed on disconnect');
    const framesWhileOut = await page.evaluate(() => window.__el.framesRendered);
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.__el.framesRendered), framesWhileOut, 'no frames while disconnected');
    await page.evaluate(() => document.body.append(window.__el));
    await waitForStatus(page, 'ready', '#a');
    await waitFrames(page, 3, '#a');
    assert.equal(await live(page), 1);
    // a synchronous move keeps the same viewer
    await page.evaluate(() => { const d = document.createElement('div'); document.body.append(d); d.append(window.__el); });
    await waitFrames(page, 3, '#a');
    assert.equal(await live(page), 1);
    // one loop only: the turntable draws at most one frame per animation frame
    const rate = await page.evaluate(async () => {
      const el = window.__el; let raf = 0; const f0 = el.framesRendered;
      await new Promise((r) => { const t0 = performance.now(); const k = () => { raf++; if (performance.now() - t0 < 500) requestAnimationFrame(k); else r(); }; requestAnimationFrame(k); });
      return (el.framesRendered - f0) / raf;
    });
    assert.ok(rate <= 1.1, `frames per animation frame ${rate}`);
    assertClean();
    await page.close();
  });

  test('zero-size element: no error, nothing drawn until it has a size', T, async () => {
    const { page, assertClean } = await openPage(browser.context, `${server.url}empty.html`);
    await page.evaluate(() => { const el = document.createElement('loupe-tryon'); el.id = 'z'; el.style.cssText = 'width:0;height:0'; el.src = 'models/sample-ring.glb'; document.body.append(el); });
    await waitForEvent(page, 'load');
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => document.getElementById('z').framesRendered), 0);
    await page.evaluate(() => { document.getElementById('z').style.cssText = 'width:200px;height:150px'; });
    await waitFrames(page, 2, '#z');
    assert.equal(await page.evaluate(() => document.getElementById('z').shadowRoot.querySelector('canvas').width), 200);
    assertClean();
    await page.close();
  });

  test('context lost: context-lost event, a new viewer, the model reloaded', T, async () => {
    const { page, assertClean } = await one();
    const from = await eventCount(page);
    const oldCanvas = await page.evaluate(() => { const el = document.getElementById('a'); window.__c = el.shadowRoot.querySelector('canvas'); el._viewer.loseContextForTesting(); });
    const err = await waitForEvent(page, 'error', { from });
    assert.equal(err.detail.type, 'context-lost');
    await waitFrames(page, 3, '#a');
    const s = await page.evaluate(() => { const el = document.getElementById('a'); return { fresh: el.shadowRoot.querySelector('canvas') !== window.__c, model: !!el._viewer._model, status: el.status }; });
    assert.deepEqual(s, { fresh: true, model: true, status: 'ready' });
    assert.equal(await live(page), 1);
    assert.equal((await events(page, 'error')).length, 1, 'one error per loss');
    void oldCanvas;
    assertClean();
    await page.close();
  });

  test('gem-quality: named levels reach the viewer, auto restores the backend default', T, async () => {
    const { page, assertClean } = await one();
    const quality = () => page.evaluate(() => {
      const q = document.getElementById('a')._viewer.gemQuality;
      return [q.maxBounces, q.raysPerPixel];
    });
    const auto = await quality();
    const set = (v) => page.evaluate((v) => document.getElementById('a').setAttribute('gem-quality', v), v);
    await set('low');
    assert.deepEqual(await quality(), [4, 1]);
    await set('high');
    assert.deepEqual(await quality(), [8, 4]);
    await set('auto');
    assert.deepEqual(await quality(), auto);
    const warned = await page.evaluate(() => new Promise((resolve) => {
      const warn = console.warn;
      console.warn = (m) => { console.warn = warn; resolve(String(m)); };
      document.getElementById('a').setAttribute('gem-quality', 'ultra');
    }));
    assert.match(warned, /gem-quality "ultra"/);
    assert.deepEqual(await quality(), auto);
    assertClean();
    await page.close();
  });

  test('sparkle: the attribute reaches the viewer; a bad value warns and keeps the default', T, async () => {
    const { page, assertClean } = await one();
    const sparkle = () => page.evaluate(() => {
      const el = document.getElementById('a');
      return [el._viewer.gemQuality.sparkle, el.sparkle];
    });
    assert.deepEqual(await sparkle(), [0.6, 0.6], 'default');
    await page.evaluate(() => { document.getElementById('a').sparkle = 0; });
    assert.deepEqual(await sparkle(), [0, 0], 'off');
    await page.evaluate(() => document.getElementById('a').setAttribute('sparkle', '0.9'));
    assert.deepEqual(await sparkle(), [0.9, 0.9]);
    const warned = await page.evaluate(() => new Promise((resolve) => {
      const warn = console.warn;
      console.warn = (m) => { console.warn = warn; resolve(String(m)); };
      document.getElementById('a').setAttribute('sparkle', 'dazzling');
    }));
    assert.match(warned, /sparkle "dazzling"/);
    assert.deepEqual(await sparkle(), [0.6, 0.6], 'a bad value falls back to the default');
    await page.evaluate(() => document.getElementById('a').removeAttribute('sparkle'));
    assert.deepEqual(await sparkle(), [0.6, 0.6], 'removed: default');
    assertClean();
    await page.close();
  });

  test('keyboard: arrows, Shift, reset; unhandled keys are not prevented', T, async () => {
    const { page, assertClean } = await one();
    await page.locator('#a').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press(']');
    const v = await page.evaluate(() => { const m = document.getElementById('a')._viewer; return [m._x, m._y, +(m._roll * 180 / Math.PI).toFixed(3)]; });
    assert.deepEqual(v, [10, 1, 5]);
    const prevented = await page.evaluate(() => {
      const stage = document.getElementById('a').shadowRoot.querySelector('.stage');
      const k = (key) => { const e = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }); stage.dispatchEvent(e); return e.defaultPrevented; };
      return { a: k('a'), home: k('Home'), plus: k('+') };
    });
    assert.deepEqual(prevented, { a: false, home: true, plus: true });
    assert.equal(await page.evaluate(() => document.getElementById('a')._viewer._x), 0, 'Home resets');
    assertClean();
    await page.close();
  });

  test('no camera: camera-unavailable, then the fallback video as the feed', T, async () => {
    const { page, assertClean } = await openPage(browser.context, null, {
      init: () => { navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('no camera', 'NotFoundError')); },
    });
    await page.goto(`${server.url}index.html`);
    await waitForStatus(page, 'ready');
    // Hand tracking is tested against the real build (tracking.test.mjs); this site has no tracker.
    await page.evaluate(() => { document.querySelector('loupe-tryon').tracking = 'off'; });
    const from = await eventCount(page);
    await page.click('#try-on');
    const err = await waitForEvent(page, 'error', { from });
    assert.equal(err.detail.type, 'camera-unavailable');
    const start = await waitForEvent(page, 'camera-start', { from });
    assert.equal(start.detail.source, 'fallback-video');
    await waitForStatus(page, 'camera');
    await waitFrames(page, 3);
    assert.equal(await page.evaluate(() => document.querySelector('loupe-tryon').mode), 'camera');
    assertClean();
    await page.close();
  });

  test('WebGPU forced but unavailable: falls back to the WebGL2 build once', T, async () => {
    const { page, assertClean } = await openPage(browser.context, null, { init: () => { window.LOUPE_BACKEND = 'webgpu'; } });
    await page.goto(`${server.url}one.html`);
    await waitForStatus(page, 'ready');
    assert.equal(await page.evaluate(() => document.getElementById('a').backend), 'webgl2');
    assert.equal((await events(page, 'error')).length, 0);
    assertClean();
    await page.close();
  });

  test('photo mode: a chosen file becomes the background, rendered on change', T, async () => {
    const { page, assertClean } = await one();
    await page.evaluate(() => { const el = document.getElementById('a'); el.tracking = 'off'; el.mode = 'photo'; });
    assert.equal(await page.locator('#a').locator('[part=photo-button]').isVisible(), true);
    await page.locator('#a').locator('input[type=file]').setInputFiles(path.join(dir, 'demo', 'product.png'));
    await page.waitForFunction(() => document.getElementById('a')._viewer._bg.kind === 'image');
    const s = await page.evaluate(() => { const el = document.getElementById('a'); return { mode: el.mode, loop: el.loopKind, status: el.status }; });
    assert.deepEqual(s, { mode: 'photo', loop: 'on-demand', status: 'ready' });
    assertClean();
    await page.close();
  });
});
