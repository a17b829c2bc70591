// Hand and face tracking for <loupe-tryon>: trackers behind one small interface, and the loop that
// feeds them camera frames and hands their landmarks to the viewer (which anchors and filters the
// jewel in Rust). Everything runs in the page; frames never leave it.
//
// The tracker interface (another tracker can replace MediaPipe's):
//   tracker.body: 'hand' | 'face'
//   tracker.detect(image, timeMs) → Promise<[{ landmarks: Float32Array, handedness?, score? }]>
//     landmarks: N × (x, y, z), x and y in 0..1 of the image as given (not mirrored), z on x's
//     scale, in MediaPipe's order: a hand is 21 points (0 wrist, 1–4 thumb, 5–8 index … 17–20
//     little) with handedness 'Left' | 'Right' as MediaPipe labels it (as if the image were a
//     selfie); a face is the 468-point face mesh (1 nose tip, 152 chin, 234/454 beside the ears).
//   tracker.reset()   the next image is unrelated to the last: detect afresh
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
/** Files of @mediapipe/face_mesh (its two models are inside the packed assets). */
const FACE_DIR = new URL('./vendor/mediapipe/face_mesh/', import.meta.url).href;
const FACE_FILES = {
  common: ['face_mesh.js', 'face_mesh.binarypb', 'face_mesh_solution_packed_assets_loader.js', 'face_mesh_solution_packed_assets.data'],
  simd: ['face_mesh_solution_simd_wasm_bin.js', 'face_mesh_solution_simd_wasm_bin.wasm'],
  plain: ['face_mesh_solution_wasm_bin.js', 'face_mesh_solution_wasm_bin.wasm'],
};
const FACE_POINTS = 468;
export const TRACKING_MODELS = ['full', 'lite'];
/** The body each kind of jewel is worn on. */
export const BODY_OF_KIND = { ring: 'hand', bracelet: 'hand', earrings: 'face', pendant: 'face' };
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

/** The files a solution needs, downloaded once per page (blob URLs by name). */
function download(dir, wanted, onProgress) {
  const key = `${dir}|${wanted.join(',')}`;
  let files = downloads.get(key);
  if (!files) {
    files = fetchAll(dir, wanted, onProgress);
    downloads.set(key, files);
    files.catch(() => downloads.delete(key));
  } else if (onProgress) {
    files.then(() => onProgress({ loaded: 1, total: 1, fraction: 1 }), () => {});
  }
  return files;
}

/**
 * MediaPipe Hands (Apache-2.0, from npm's @mediapipe/hands), loaded from this site only.
 * `model`: 'full' (more accurate) or 'lite' (about twice as fast).
 */
export async function createMediaPipeHands({ model = 'full', maxHands = 2, onProgress, dir = HANDS_DIR } = {}) {
  const wanted = [...HANDS_FILES.common, ...(simdSupported() ? HANDS_FILES.simd : HANDS_FILES.plain), ...HANDS_FILES[model]];
  const urls = await download(dir, wanted, onProgress);
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
    body: 'hand',
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
    reset() { try { hands.reset(); } catch { /* nothing to forget yet */ } },
    close() { try { hands.close(); } catch { /* already closed */ } },
  };
}

/**
 * MediaPipe Face Mesh (Apache-2.0, from npm's @mediapipe/face_mesh), loaded from this site only:
 * a short-range face detector and the 468-point mesh.
 */
export async function createMediaPipeFaceMesh({ maxFaces = 1, onProgress, dir = FACE_DIR } = {}) {
  const wanted = [...FACE_FILES.common, ...(simdSupported() ? FACE_FILES.simd : FACE_FILES.plain)];
  const urls = await download(dir, wanted, onProgress);
  if (typeof globalThis.FaceMesh !== 'function') await loadScript(urls['face_mesh.js']);
  const mesh = new globalThis.FaceMesh({ locateFile: (f) => urls[f] || dir + f });
  mesh.setOptions({
    maxNumFaces: maxFaces,
    refineLandmarks: false,
    minDetectionConfidence: 0.5,
    minTrackingConfidence: 0.5,
    selfieMode: false,
  });
  let latest = null;
  mesh.onResults((r) => { latest = r; });
  await mesh.initialize();
  return {
    name: 'mediapipe-face-mesh',
    body: 'face',
    async detect(image, timeMs) {
      latest = null;
      await mesh.send({ image }, timeMs);
      const faces = (latest && latest.multiFaceLandmarks) || [];
      return faces.filter((lm) => lm.length >= FACE_POINTS).map((lm) => {
        const flat = new Float32Array(FACE_POINTS * 3);
        for (let j = 0; j < FACE_POINTS; j++) {
          flat[j * 3] = lm[j].x; flat[j * 3 + 1] = lm[j].y; flat[j * 3 + 2] = lm[j].z;
        }
        return { landmarks: flat, score: 1 };
      });
    },
    reset() { try { mesh.reset(); } catch { /* nothing to forget yet */ } },
    close() { try { mesh.close(); } catch { /* already closed */ } },
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
    this._lastSource = null;
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
    const where = { bracelet: 'your wrist', earrings: 'your face', pendant: 'your face' }[target.kind] || 'your hand';
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
    const body = BODY_OF_KIND[target.kind] || 'hand';
    const what = body === 'face' ? 'Face' : 'Hand';
    try {
      viewer.setTracking(target.kind, target.finger, target.hand);
    } catch (e) {
      host._emitError('tracking', e.message || String(e));
      return false;
    }
    const key = body === 'face' ? 'face' : `hand-${target.model}`;
    if (!this._tracker || this._trackerKey !== key) {
      if (this._tracker) { this._tracker.close(); this._tracker = null; }
      this._setState('loading');
      host._message(`Loading ${what.toLowerCase()} tracking…`);
      try {
        const onProgress = (p) => { if (gen === this._gen) host._emit('progress', { ...p, what: 'tracker' }); };
        const tracker = body === 'face'
          ? await createMediaPipeFaceMesh({ onProgress })
          : await createMediaPipeHands({ model: target.model, onProgress });
        if (gen !== this._gen) { tracker.close(); return false; }
        this._tracker = tracker;
        this._trackerKey = key;
      } catch (e) {
        if (gen !== this._gen) return false;
        this._stopViewer();
        this._setState('failed');
        host._emitError('tracker-load', `${what} tracking could not load: ${e.message || e}`);
        host._message(`${what} tracking could not load: drag to place the jewel`);
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
      const tracker = this._tracker;
      // A new photo (or the camera after a photo) has nothing to do with the last picture: the
      // tracker must look for the body afresh (not where it was), and the filters must not
      // smooth across them.
      const newPicture = source.source !== this._lastSource;
      this._lastSource = source.source;
      if (newPicture) tracker.reset();
      let found = [];
      try {
        found = await tracker.detect(frame, timeMs);
        failures = 0;
      } catch (e) {
        if (++failures === 1) console.warn(`<loupe-tryon>: ${tracker.body} tracking failed on a frame (${e.message || e})`);
        if (failures > 30) { // a tracker that keeps failing: stop, keep manual placement
          if (ownFrame) frame.close();
          this._stopViewer();
          this._setState('failed');
          host._emitError('tracker-load', `${tracker.body === 'face' ? 'Face' : 'Hand'} tracking stopped working: drag to place the jewel`);
          return;
        }
      }
      this.detectMs = performance.now() - timeMs;
      if (gen !== this._gen || host._viewer !== viewer) { if (ownFrame) frame.close(); return; }
      const mirror = !!source.mirror;
      if (newPicture) viewer.forgetTrackingMotion();
      try {
        const sync = syncMode() === 'always' || (syncMode() === 'auto' && this.detectMs < SYNC_MAX_DETECT_MS);
        if (isVideo && sync) {
          viewer.setImage(frame, mirror); // the very frame the pose comes from
          this._showingFrames = true;
        } else if (this._showingFrames) {
          this._showingFrames = false;
          host._applyBackground();
        }
        const points = tracker.body === 'face' ? FACE_POINTS : 21;
        const flat = new Float32Array(found.length * points * 3);
        found.forEach((h, i) => flat.set(h.landmarks, i * points * 3));
        const following = tracker.body === 'face'
          ? viewer.trackFaces(flat, points, frame.width, frame.height, mirror, timeMs)
          : viewer.trackHands(flat, found.map((h) => h.handedness).join(','),
            new Float32Array(found.map((h) => h.score)), frame.width, frame.height, mirror, timeMs);
        const inPx = (l) => Array.from({ length: points }, (_, j) => [l[j * 3] * frame.width, l[j * 3 + 1] * frame.height, l[j * 3 + 2] * frame.width]);
        this.lastResult = {
          frame: ++this._frames, timeMs, width: frame.width, height: frame.height, mirrored: mirror,
          hands: tracker.body === 'hand' ? found.map((h) => ({ handedness: h.handedness, score: h.score, landmarksPx: inPx(h.landmarks) })) : [],
          faces: tracker.body === 'face' ? found.map((f) => ({ landmarksPx: inPx(f.landmarks) })) : [],
        };
        this._setState(following ? 'tracking' : 'searching', tracker.body === 'face' ? { faces: found.length } : { hands: found.length });
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
