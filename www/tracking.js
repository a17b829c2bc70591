// Hand tracking for <loupe-tryon>: a tracker behind one small interface, and the loop that feeds
// it camera frames and hands its landmarks to the viewer (which anchors and filters the jewel in
// Rust). Everything runs in the page; frames never leave it.
//
// The tracker interface (another tracker can replace MediaPipe's):
//   tracker.detect(image, timeMs) → Promise<[{ landmarks: Float32Array(63), handedness, score }]>
//     landmarks: 21 × (x, y, z), x and y in 0..1 of the image as given (not mirrored), z on x's
//     scale (MediaPipe's hand model order: 0 wrist, 1–4 thumb, 5–8 index … 17–20 little);
//     handedness: 'Left' | 'Right' as MediaPipe labels it (as if the image were a selfie).
//   tracker.close()

/** Files of @mediapipe/hands that the solution loads, copied into the site by `./x build`. */
const HANDS_DIR = new URL('./vendor/mediapipe/hands/', import.meta.url).href;
const HANDS_FILES = {
  common: ['hands.js', 'hands.binarypb', 'hands_solution_packed_assets_loader.js', 'hands_solution_packed_assets.data'],
  simd: ['hands_solution_simd_wasm_bin.js', 'hands_solution_simd_wasm_bin.wasm'],
  plain: ['hands_solution_wasm_bin.js', 'hands_solution_wasm_bin.wasm'],
  full: ['hand_landmark_full.tflite'],
  lite: ['hand_landmark_lite.tflite'],
};
export const TRACKING_MODELS = ['full', 'lite'];
export const KINDS = ['ring', 'bracelet', 'earrings', 'pendant'];
export const FINGERS = ['thumb', 'index', 'middle', 'ring', 'little'];
export const HANDS = ['left', 'right', 'any'];
/** Showing the very frame the pose came from costs a tracker's latency: only when it is short. */
const SYNC_MAX_DETECT_MS = 66;
/** A jewel fades in or out over this long (the viewer's fade, plus a frame). */
const FADE_MS = 300;

function mimeOf(file) {
  if (file.endsWith('.wasm')) return 'application/wasm';
  if (file.endsWith('.js')) return 'text/javascript';
  return 'application/octet-stream';
}

function simdSupported() {
  // The smallest module using a v128 instruction (i8x16.splat in a function body).
  try {
    return WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3,
      2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
  } catch { return false; }
}

/** Downloads `files` from `dir` with byte progress; resolves to blob URLs by name. */
async function fetchAll(dir, files, onProgress) {
  const heads = await Promise.all(files.map(async (f) => {
    const res = await fetch(dir + f);
    if (!res.ok) throw new Error(`${f}: HTTP ${res.status}`);
    return [f, res, Number(res.headers.get('content-length')) || 0];
  }));
  const total = heads.reduce((n, [, , len]) => n + len, 0);
  let loaded = 0;
  const report = () => onProgress && onProgress({ loaded, total, fraction: total ? Math.min(1, loaded / total) : 0 });
  report();
  const urls = {};
  await Promise.all(heads.map(async ([f, res]) => {
    const chunks = [];
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      report();
    }
    urls[f] = URL.createObjectURL(new Blob(chunks, { type: mimeOf(f) }));
  }));
  return urls;
}

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = url;
    s.onload = resolve;
    s.onerror = () => reject(new Error('the tracker script did not load'));
    document.head.append(s);
  });
}

/** @type {Map<string, Promise<Record<string,string>>>} one download per page and model */
const downloads = new Map();

/**
 * MediaPipe Hands (Apache-2.0, from npm's @mediapipe/hands), loaded from this site only.
 * `model`: 'full' (more accurate) or 'lite' (about twice as fast).
 */
export async function createMediaPipeHands({ model = 'full', maxHands = 2, onProgress, dir = HANDS_DIR } = {}) {
  const key = `${dir}|${model}`;
  let files = downloads.get(key);
  if (!files) {
    const wanted = [...HANDS_FILES.common, ...(simdSupported() ? HANDS_FILES.simd : HANDS_FILES.plain), ...HANDS_FILES[model]];
    files = fetchAll(dir, wanted, onProgress);
    downloads.set(key, files);
    files.catch(() => downloads.delete(key));
  } else if (onProgress) {
    files.then(() => onProgress({ loaded: 1, total: 1, fraction: 1 }), () => {});
  }
  const urls = await files;
  if (typeof globalThis.Hands !== 'function') await loadScript(urls['hands.js']);
  const hands = new globalThis.Hands({ locateFile: (f) => urls[f] || dir + f });
  hands.setOptions({
    maxNumHands: maxHands,
    modelComplexity: model === 'lite' ? 0 : 1,
    minDetectionConfidence: 0.5,
    minTrackingConfidence: 0.5,
    selfieMode: false,
  });
  let latest = null;
  hands.onResults((r) => { latest = r; });
  await hands.initialize();
  return {
    name: `mediapipe-hands-${model}`,
    async detect(image, timeMs) {
      latest = null;
      await hands.send({ image }, timeMs);
      const r = latest;
      const out = [];
      const lms = (r && r.multiHandLandmarks) || [];
      for (let i = 0; i < lms.length; i++) {
        const flat = new Float32Array(63);
        lms[i].forEach((p, j) => { flat[j * 3] = p.x; flat[j * 3 + 1] = p.y; flat[j * 3 + 2] = p.z; });
        const h = (r.multiHandedness && r.multiHandedness[i]) || {};
        out.push({ landmarks: flat, handedness: h.label || 'Right', score: h.score || 0 });
      }
      return out;
    },
    close() { try { hands.close(); } catch { /* already closed */ } },
  };
}

/** Test hook: a page may set `globalThis.LOUPE_TRACKING_SYNC` to 'always' or 'never'. */
function syncMode() {
  const m = String(globalThis.LOUPE_TRACKING_SYNC || 'auto');
  return ['always', 'never'].includes(m) ? m : 'auto';
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs tracking for one element. The host provides: `_viewer`, `_video`, `_frameSource()` →
 * { source (its video or the photo's ImageBitmap), mirror } | null, `_trackingTarget()` → { kind, finger, hand,
 * model }, `_applyBackground()`, `_invalidate()`, `_animateFor(ms)`, `_message(text)`,
 * `_emit(type, detail)`, `_emitError(type, message)`.
 */
export class TrackingController {
  constructor(host) {
    this._host = host;
    this._gen = 0;
    this._state = 'off';
    this._tracker = null;
    this._trackerKey = '';
    this._showingFrames = false;
    this._lastPhoto = null;
    /** The last tracker result, for developers and tests (landmarks in image px, not mirrored). */
    this.lastResult = null;
    this.detectMs = undefined;
    this._frames = 0;
  }

  get state() { return this._state; }

  _setState(state, detail = {}) {
    if (state === this._state) return;
    this._state = state;
    const target = this._host._trackingTarget();
    const where = target.kind === 'bracelet' ? 'your wrist' : 'your hand';
    if (state === 'searching') this._host._message(`Show ${where} to the camera`);
    else if (state === 'tracking' || state === 'off') this._host._message('');
    this._host._emit('tracking', { state, ...detail });
  }

  /** Starts (or restarts with new settings) tracking; resolves when the loop runs or failed. */
  async start() {
    const gen = ++this._gen;
    const host = this._host;
    const target = host._trackingTarget();
    const viewer = host._viewer;
    if (!viewer) return false;
    if (target.kind === 'earrings' || target.kind === 'pendant') {
      // Face tracking is not built yet: say so and keep manual placement.
      this._stopViewer();
      this._setState('unsupported', { kind: target.kind });
      host._message('Face tracking is not available yet: drag to place the jewel');
      return false;
    }
    try {
      viewer.setTracking(target.kind, target.finger, target.hand);
    } catch (e) {
      host._emitError('tracking', e.message || String(e));
      return false;
    }
    const key = target.model;
    if (!this._tracker || this._trackerKey !== key) {
      if (this._tracker) { this._tracker.close(); this._tracker = null; }
      this._setState('loading');
      host._message('Loading hand tracking…');
      try {
        const tracker = await createMediaPipeHands({
          model: target.model,
          onProgress: (p) => { if (gen === this._gen) host._emit('progress', { ...p, what: 'tracker' }); },
        });
        if (gen !== this._gen) { tracker.close(); return false; }
        this._tracker = tracker;
        this._trackerKey = key;
      } catch (e) {
        if (gen !== this._gen) return false;
        this._stopViewer();
        this._setState('failed');
        host._emitError('tracker-load', `Hand tracking could not load: ${e.message || e}`);
        host._message('Hand tracking could not load: drag to place the jewel');
        return false;
      }
    }
    this._setState('searching');
    this._lastPhoto = null;
    this._loop(gen);
    return true;
  }

  stop() {
    this._gen++;
    this._stopViewer();
    this._setState('off');
  }

  /** Frees the tracker (element removed). */
  dispose() {
    this.stop();
    if (this._tracker) { this._tracker.close(); this._tracker = null; }
  }

  _stopViewer() {
    const v = this._host._viewer;
    try { v && v.stopTracking(); } catch { /* viewer gone */ }
    if (this._showingFrames) { this._showingFrames = false; this._host._applyBackground(); }
    this._host._invalidate();
  }

  async _loop(gen) {
    const host = this._host;
    let failures = 0;
    while (gen === this._gen) {
      const source = host._frameSource();
      const viewer = host._viewer;
      const isVideo = !!source && source.source === host._video;
      if (!source || !viewer || (!isVideo && source.source === this._lastPhoto)) { await sleep(100); continue; }
      let frame;
      try {
        frame = isVideo ? await createImageBitmap(source.source) : source.source;
      } catch { await sleep(100); continue; }
      const ownFrame = isVideo;
      const timeMs = performance.now();
      let hands = [];
      try {
        hands = await this._tracker.detect(frame, timeMs);
        failures = 0;
      } catch (e) {
        if (++failures === 1) console.warn(`<loupe-tryon>: hand tracking failed on a frame (${e.message || e})`);
        if (failures > 30) { // a tracker that keeps failing: stop, keep manual placement
          if (ownFrame) frame.close();
          this._stopViewer();
          this._setState('failed');
          host._emitError('tracker-load', 'Hand tracking stopped working: drag to place the jewel');
          return;
        }
      }
      this.detectMs = performance.now() - timeMs;
      if (gen !== this._gen || host._viewer !== viewer) { if (ownFrame) frame.close(); return; }
      const mirror = !!source.mirror;
      try {
        const sync = syncMode() === 'always' || (syncMode() === 'auto' && this.detectMs < SYNC_MAX_DETECT_MS);
        if (isVideo && sync) {
          viewer.setImage(frame, mirror); // the very frame the pose comes from
          this._showingFrames = true;
        } else if (this._showingFrames) {
          this._showingFrames = false;
          host._applyBackground();
        }
        const flat = new Float32Array(hands.length * 63);
        hands.forEach((h, i) => flat.set(h.landmarks, i * 63));
        const found = viewer.trackHands(flat, hands.map((h) => h.handedness).join(','),
          new Float32Array(hands.map((h) => h.score)), frame.width, frame.height, mirror, timeMs);
        this.lastResult = {
          frame: ++this._frames, timeMs, width: frame.width, height: frame.height, mirrored: mirror,
          hands: hands.map((h) => ({
            handedness: h.handedness, score: h.score,
            landmarksPx: Array.from({ length: 21 }, (_, j) => [h.landmarks[j * 3] * frame.width, h.landmarks[j * 3 + 1] * frame.height, h.landmarks[j * 3 + 2] * frame.width]),
          })),
        };
        this._setState(found ? 'tracking' : 'searching', { hands: hands.length });
      } catch (e) {
        console.warn(`<loupe-tryon>: tracking update failed (${e.message || e})`);
      }
      if (ownFrame) frame.close();
      if (!isVideo) this._lastPhoto = source.source;
      host._animateFor(FADE_MS);
      host._invalidate();
      await sleep(0);
    }
  }
}
