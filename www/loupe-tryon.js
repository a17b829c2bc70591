// <loupe-tryon>: jewellery try-on custom element.
//
// JS owns the element, the DOM, the camera and the frame loop; the Rust/wgpu WebAssembly module
// (pkg/webgpu or pkg/webgl, beside this file) owns the pixels. No build step, no dependencies.
//
//   <script type="module" src="loupe-tryon.js"></script>
//   <loupe-tryon src="ring.glb" alt="Solitaire ring" mode="viewer"></loupe-tryon>
//
// See README.md ("The element") for attributes, events, methods, CSS parts and the gesture/keyboard table.

import { CalibrationFlow, CALIBRATIONS, CALIBRATION_STYLE, measureFingerWithCard } from './calibration.js';
import { TrackingController, KINDS, FINGERS, HANDS, TRACKING_MODELS, BODY_OF_KIND } from './tracking.js';

const BUILD_URLS = {
  webgpu: new URL('./pkg/webgpu/loupe.js', import.meta.url).href,
  webgl: new URL('./pkg/webgl/loupe.js', import.meta.url).href,
};

// ---- module-level, once per page -----------------------------------------------------------

/** @type {Map<string, Promise<any>>} one import + init per build */
const builds = new Map();

function loadBuild(kind) {
  let p = builds.get(kind);
  if (!p) {
    p = import(BUILD_URLS[kind]).then(async (m) => {
      await m.default();
      return m;
    });
    builds.set(kind, p);
    // A failed download may be retried by a later element; a success is kept for the page.
    p.catch(() => { if (builds.get(kind) === p) builds.delete(kind); });
  }
  return p;
}

/** @type {Promise<'webgpu'|'webgl'> | null} */
let backendChoice = null;

function chooseBackend() {
  if (!backendChoice) {
    backendChoice = (async () => {
      const forced = String(globalThis.LOUPE_BACKEND || '').toLowerCase();
      if (forced === 'webgpu') return 'webgpu';
      if (forced === 'webgl' || forced === 'webgl2') return 'webgl';
      try {
        if (navigator.gpu && (await navigator.gpu.requestAdapter())) return 'webgpu';
      } catch { /* fall through */ }
      return 'webgl';
    })();
  }
  return backendChoice;
}

// ---- helpers ---------------------------------------------------------------------------------

const DEG = Math.PI / 180;
const MODES = ['viewer', 'camera', 'photo'];
// gem-quality: [internal bounces, rays per gem pixel]; `auto` keeps the backend's default
// (8 and 4 on WebGPU, 6 and 2 on WebGL2).
const GEM_QUALITY = { high: [8, 4], medium: [6, 2], low: [4, 1] };
// sparkle: how strongly the brightest stone pixels glow, 0 (off) to 1.
const DEFAULT_SPARKLE = 0.6;
// Camera light: a frame this small says enough about the room's light, this often.
const ROOM_LIGHT_SIZE = [32, 24];
const ROOM_LIGHT_INTERVAL_MS = 100;
const SIZE_SYSTEMS = ['us', 'uk', 'eu', 'jp', 'iso'];

function stopTracks(stream) {
  if (stream) for (const t of stream.getTracks()) t.stop();
}

function errorMessage(e) {
  if (e == null) return 'unknown error';
  if (typeof e === 'string') return e;
  return e.message || e.name || String(e);
}

function isContextLostError(e) {
  return /context-lost/i.test(errorMessage(e));
}

function waitForEvent(target, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { target.removeEventListener(type, on); reject(new Error(`timed out waiting for ${type}`)); }, timeoutMs);
    const on = () => { clearTimeout(t); resolve(); };
    target.addEventListener(type, on, { once: true });
  });
}

async function playVideo(video) {
  await video.play();
  if (video.readyState < 2 /* HAVE_CURRENT_DATA */) await waitForEvent(video, 'loadeddata', 10000);
}

const STYLE = `
:host { display: block; position: relative; height: 400px; overflow: hidden; contain: content;
  background: #f3f0eb; color: #222; -webkit-tap-highlight-color: transparent; }
:host([hidden]) { display: none; }
.stage { position: absolute; inset: 0; touch-action: none; outline: none; cursor: grab; user-select: none; -webkit-user-select: none; }
.stage:active { cursor: grabbing; }
.stage:focus-visible { outline: 2px solid #1a73e8; outline-offset: -2px; }
canvas { position: absolute; inset: 0; width: 100%; height: 100%; display: block; }
.poster { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; pointer-events: none; }
.fallback { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  padding: 1em; text-align: center; font: 14px/1.4 system-ui, sans-serif; pointer-events: none; }
[hidden] { display: none !important; }
video { position: absolute; left: 0; top: 0; width: 2px; height: 2px; opacity: 0; pointer-events: none; }
.status { position: absolute; left: 8px; bottom: 8px; max-width: calc(100% - 140px); margin: 0; padding: 3px 10px;
  border-radius: 12px; background: rgba(0,0,0,.6); color: #fff; font: 12px/1.4 system-ui, sans-serif; pointer-events: none; }
.status:empty { display: none; }
.controls { position: absolute; right: 8px; bottom: 8px; display: flex; gap: 6px; }
button { font: 13px/1 system-ui, sans-serif; padding: 8px 12px; border-radius: 16px; border: 1px solid rgba(0,0,0,.2);
  background: rgba(255,255,255,.92); color: #222; cursor: pointer; }
button:focus-visible { outline: 2px solid #1a73e8; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
${CALIBRATION_STYLE}`;

const HELP_TEXT = 'Drag or use the arrow keys to move the jewel (Shift+arrow: fine). ' +
  'Plus and minus zoom, square brackets twist, Page Up and Page Down tilt, comma and period turn, 0 or Home resets.';

// ---- the element -----------------------------------------------------------------------------

export class LoupeTryon extends HTMLElement {
  static get observedAttributes() {
    return ['src', 'alt', 'mode', 'facing', 'poster', 'loading', 'px-per-mm', 'ring-size', 'size-system',
      'environment', 'fallback-video', 'variant', 'calibration', 'gem-quality',
      'sparkle', 'kind', 'finger', 'hand', 'tracking', 'tracking-model'];
  }

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open', delegatesFocus: true });
    root.innerHTML = `<style>${STYLE}</style>
<div class="stage" part="stage" tabindex="0" role="img" aria-roledescription="jewellery try-on" aria-describedby="help"></div>
<img class="poster" part="poster" alt="" hidden>
<div class="fallback" part="fallback" hidden></div>
<video part="video" playsinline muted aria-hidden="true" tabindex="-1"></video>
<p id="help" class="sr-only">${HELP_TEXT}</p>
<div class="calib" part="calibration" hidden></div>
<p class="status" part="status" role="status" aria-live="polite"></p>
<div class="controls" part="controls"><button type="button" part="photo-button" hidden>Choose photo</button></div>
<input type="file" accept="image/*" hidden tabindex="-1">`;
    this._stage = root.querySelector('.stage');
    this._poster = root.querySelector('.poster');
    this._fallback = root.querySelector('.fallback');
    this._video = root.querySelector('video');
    this._video.muted = true;
    this._video.playsInline = true;
    this._statusLine = root.querySelector('.status');
    this._photoButton = root.querySelector('button');
    this._fileInput = root.querySelector('input[type=file]');
    this._canvas = null;
    this._wasm = null;              // the loaded build's module: calibration maths
    this._calibration = null;       // the last 'calibrated' detail
    this._calibrationFlow = new CalibrationFlow(this, root.querySelector('.calib'));
    this._tracking = new TrackingController(this);
    this._animUntil = 0;

    // state
    this._viewer = null;
    this._viewerReady = Promise.resolve(null);
    this._alive = false;            // initialised (viewer created or being created) and not torn down
    this._lifeGen = 0;              // bumps on teardown / viewer re-creation: stale async work checks it
    this._loopGen = 0;              // bumps whenever the frame loop is (re)started or stopped
    this._rafId = 0;
    this._rvfcId = 0;
    this._oneShot = 0;
    this._lastRenderAt = 0;
    this._loopKind = 'none';
    this._dirty = false;
    this._mode = 'viewer';
    this._bg = 'neutral';           // 'neutral' | 'video' | 'image'
    this._mirror = false;
    this._videoSource = null;       // null | 'camera' | 'fallback-video'
    this._stream = null;
    this._camSeq = 0;
    this._photo = null;
    this._loadSeq = 0;
    this._abort = null;
    this._loading = false;
    this._modelUrl = null;
    this._modelBytes = null;
    this._modelInfo = null;
    this._modelFailed = false;
    this._glbQueue = Promise.resolve();
    this._envBytes = null;
    this._envSeq = 0;
    this._fatal = false;
    this._backend = null;
    this._framesRendered = 0;
    this._firstFrameMs = undefined;
    this._connectedAt = 0;
    this._posterDone = false;
    this._recovering = false;
    this._recoveries = 0;
    this._cssW = 0;
    this._cssH = 0;
    this._warned = new Set();
    this._pointers = new Map();
    this._reducedMotion = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : null;

    this._onResize = this._onResize.bind(this);
    this._onDprChange = this._onDprChange.bind(this);
    this._stage.addEventListener('pointerdown', (e) => this._onPointerDown(e));
    this._stage.addEventListener('pointermove', (e) => this._onPointerMove(e));
    for (const t of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      this._stage.addEventListener(t, (e) => this._pointers.delete(e.pointerId));
    }
    this._stage.addEventListener('wheel', (e) => this._onWheel(e), { passive: false });
    this._stage.addEventListener('keydown', (e) => this._onKeyDown(e));
    this._photoButton.addEventListener('click', () => this.choosePhoto());
    this._fileInput.addEventListener('change', () => {
      const f = this._fileInput.files && this._fileInput.files[0];
      if (f) this.setPhoto(f);
      this._fileInput.value = '';
    });
  }

  // ---- attributes <-> properties ----

  get src() { return this.getAttribute('src') || ''; }
  set src(v) { this._setAttr('src', v); }
  get alt() { return this.getAttribute('alt') || ''; }
  set alt(v) { this._setAttr('alt', v); }
  get mode() { const m = this.getAttribute('mode'); return MODES.includes(m) ? m : 'viewer'; }
  set mode(v) { this._setAttr('mode', v); }
  get facing() { return this.getAttribute('facing') === 'environment' ? 'environment' : 'user'; }
  set facing(v) { this._setAttr('facing', v); }
  get poster() { return this.getAttribute('poster') || ''; }
  set poster(v) { this._setAttr('poster', v); }
  get loading() { return this.getAttribute('loading') === 'lazy' ? 'lazy' : 'eager'; }
  set loading(v) { this._setAttr('loading', v); }
  get pxPerMm() {
    const v = parseFloat(this.getAttribute('px-per-mm'));
    return Number.isFinite(v) && v > 0 ? v : null;
  }
  set pxPerMm(v) { this._setAttr('px-per-mm', v); }
  /** Sparkle bloom strength in use, 0–1 (the `sparkle` attribute, or its default) */
  get sparkle() { return this._sparkleValue(false); }
  set sparkle(v) { this._setAttr('sparkle', v); }
  get calibration() { const c = this.getAttribute('calibration'); return CALIBRATIONS.includes(c) ? c : 'none'; }
  set calibration(v) { this._setAttr('calibration', v); }
  /** The last calibration: { pxPerMm, method, confidence, manual, … } or null */
  get calibrationResult() { return this._calibration; }
  get ringSize() { return this.getAttribute('ring-size') || ''; }
  set ringSize(v) { this._setAttr('ring-size', v); }
  get sizeSystem() { const s = (this.getAttribute('size-system') || '').toLowerCase(); return SIZE_SYSTEMS.includes(s) ? s : 'us'; }
  set sizeSystem(v) { this._setAttr('size-system', v); }
  get environment() { return this.getAttribute('environment') || ''; }
  set environment(v) { this._setAttr('environment', v); }
  get fallbackVideo() { return this.getAttribute('fallback-video') || ''; }
  set fallbackVideo(v) { this._setAttr('fallback-video', v); }
  /** the material variant shown (a KHR_materials_variants name from `variants`); '' = the model's default look */
  /** What is worn where: `ring` | `bracelet` | `earrings` | `pendant` (default: the model's own, else ring). */
  get kind() {
    const k = this.getAttribute('kind');
    if (KINDS.includes(k)) return k;
    const own = this._modelInfo && this._modelInfo.kind;
    return KINDS.includes(own) ? own : 'ring';
  }
  set kind(v) { this._setAttr('kind', v); }
  get finger() { const f = this.getAttribute('finger'); return FINGERS.includes(f) ? f : 'ring'; }
  set finger(v) { this._setAttr('finger', v); }
  get hand() { const h = this.getAttribute('hand'); return HANDS.includes(h) ? h : 'any'; }
  set hand(v) { this._setAttr('hand', v); }
  /** `auto` (default): follow the body in camera and photo modes; `off`: manual placement only. */
  get tracking() { return this.getAttribute('tracking') === 'off' ? 'off' : 'auto'; }
  set tracking(v) { this._setAttr('tracking', v); }
  get trackingModel() { const m = this.getAttribute('tracking-model'); return TRACKING_MODELS.includes(m) ? m : 'full'; }
  set trackingModel(v) { this._setAttr('tracking-model', v); }
  /** 'off' | 'loading' | 'searching' | 'tracking' | 'failed' */
  get trackingState() { return this._tracking.state; }
  /** The tracker's last result: { timeMs, width, height, mirrored, hands: [{ handedness, score, landmarksPx }], faces: [{ landmarksPx }] }. */
  get trackedHands() { return this._tracking.lastResult; }
  /** The same result: hands for rings and bracelets, faces (468-point mesh) for earrings and pendants. */
  get trackedFaces() { return this._tracking.lastResult; }
  /**
   * The tracked jewel as last drawn: { x, y (CSS px), opacity, pxPerMm, up, tracking,
   * knuckleSpanMm | eyeDistanceMm, jewels: [every copy drawn, a pair of earrings: the viewer's left first] } or null.
   */
  get trackedJewel() {
    try { return this._viewer ? this._viewer.trackedJewel : null; } catch { return null; }
  }

  get variant() { return this.getAttribute('variant') || ''; }
  set variant(v) { this._setAttr('variant', v); }
  /** the loaded model's material variant names (KHR_materials_variants), e.g. ['platinum', 'yellow-gold'] */
  get variants() { return (this._modelInfo && Array.isArray(this._modelInfo.variants)) ? [...this._modelInfo.variants] : []; }

  // read-only state
  /** 'loading' | 'ready' | 'camera' | 'error' */
  get status() { return this.getAttribute('status') || 'loading'; }
  /** 'webgpu' | 'webgl2' once the viewer exists, else null */
  get backend() { return this._backend; }
  get framesRendered() { return this._framesRendered; }
  /** ms from connectedCallback to the first frame drawn with a model, or undefined */
  get firstFrameMs() { return this._firstFrameMs; }
  /** the last loadGlb() result: {boundsMinM, boundsMaxM, sizeMm, triangles, warnings} */
  get modelInfo() { return this._modelInfo; }
  /** 'rvfc' | 'raf' | 'on-demand' | 'none' (for tests and debugging) */
  get loopKind() { return this._loopKind; }
  /** null | 'camera' | 'fallback-video' */
  get videoSource() { return this._videoSource; }

  _setAttr(name, v) {
    if (v === null || v === undefined || v === false) this.removeAttribute(name);
    else this.setAttribute(name, String(v));
  }

  /** Shows the `variant` attribute's look on the loaded model; an unknown name shows the default
   * look and says so once on the console. */
  _applyVariant() {
    const viewer = this._viewer;
    if (!viewer || !this._modelInfo || typeof viewer.setVariant !== 'function') return;
    const name = this.variant;
    const index = name ? this.variants.indexOf(name) : -1;
    if (name && index < 0) {
      const have = this.variants.length ? this.variants.join(', ') : 'none';
      console.warn(`<loupe-tryon>: variant "${name}" is not in this model (its variants: ${have}); showing its default look`);
    }
    try { viewer.setVariant(index >= 0 ? index : undefined); } catch (e) { this._warnOnce('setVariant', e); }
    this._invalidate();
  }

  attributeChangedCallback(name, oldValue, value) {
    switch (name) {
      case 'alt':
        this._stage.setAttribute('aria-label', value || 'Jewellery try-on');
        this._fallback.textContent = value || '';
        if (this._fatal) this._poster.alt = value || '';
        break;
      case 'poster':
        if (value) this._poster.src = value; else this._poster.removeAttribute('src');
        this._updatePoster();
        break;
      case 'src':
        if (this._alive && oldValue !== value) this._loadModel();
        else if (this._alive && value && this._modelFailed) this._loadModel();
        break;
      case 'mode': {
        const m = MODES.includes(value) ? value : 'viewer';
        if (this._alive && m !== this._mode) this._applyMode(m);
        else if (!this._alive) this._mode = m;
        break;
      }
      case 'facing':
        if (this._alive && oldValue !== value && this._videoSource === 'camera') this.startCamera();
        break;
      case 'loading':
        if (this._io && this.loading === 'eager') { this._io.disconnect(); this._io = null; this._init(); }
        break;
      case 'px-per-mm':
        if (this._viewer) { this._viewer.setPxPerMm(this.pxPerMm ?? undefined); this._invalidate(); }
        break;
      case 'environment':
        if (this._alive && oldValue !== value) this._loadEnvironment();
        break;
      case 'variant':
        this._applyVariant();
        break;
      case 'calibration':
        if (this._wasm) this.calibrate(this.calibration);
        break;
      case 'gem-quality':
        this._applyGemQuality();
        break;
      case 'sparkle':
        this._applySparkle();
        break;
      case 'kind': case 'finger': case 'hand': case 'tracking': case 'tracking-model':
        if (oldValue !== value) this._updateTracking(true);
        break;
      default: // ring-size, size-system, fallback-video: stored and reflected only (for now)
        break;
    }
  }

  // ---- lifecycle ----

  connectedCallback() {
    // Properties set before the element was defined shadow the accessors: re-apply them.
    for (const p of ['src', 'alt', 'mode', 'facing', 'poster', 'loading', 'pxPerMm', 'ringSize', 'sizeSystem', 'environment', 'fallbackVideo', 'variant', 'calibration', 'kind', 'finger', 'hand', 'tracking', 'trackingModel']) {
      if (Object.prototype.hasOwnProperty.call(this, p)) { const v = this[p]; delete this[p]; this[p] = v; }
    }
    if (!this.hasAttribute('alt')) this._stage.setAttribute('aria-label', 'Jewellery try-on');
    this._connected = true;
    if (this._alive) { // moved within the document, or re-added before teardown ran: just resume
      this._observe();
      this._startLoop();
      return;
    }
    this._connectedAt = performance.now();
    this._observe();
    if (this.loading === 'lazy' && typeof IntersectionObserver === 'function') {
      this._setStatus('loading');
      this._io = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) { this._io.disconnect(); this._io = null; this._init(); }
      }, { rootMargin: '200px' });
      this._io.observe(this);
    } else {
      this._init();
    }
  }

  disconnectedCallback() {
    this._connected = false;
    this._stopLoop();
    this._unobserve();
    if (this._io) { this._io.disconnect(); this._io = null; }
    // Defer teardown to a microtask so that a synchronous move (remove + append) does not rebuild.
    queueMicrotask(() => { if (!this.isConnected) this._teardown(); });
  }

  _observe() {
    if (!this._ro && typeof ResizeObserver === 'function') {
      this._ro = new ResizeObserver(this._onResize);
      this._ro.observe(this._stage);
    }
    this._watchDpr();
  }

  _unobserve() {
    if (this._ro) { this._ro.disconnect(); this._ro = null; }
    if (this._dprQuery) { this._dprQuery.removeEventListener('change', this._onDprChange); this._dprQuery = null; }
  }

  _watchDpr() {
    if (this._dprQuery || typeof matchMedia !== 'function') return;
    this._dprQuery = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    this._dprQuery.addEventListener('change', this._onDprChange);
  }

  _onDprChange() {
    if (this._dprQuery) this._dprQuery.removeEventListener('change', this._onDprChange);
    this._dprQuery = null;
    if (this._connected) this._watchDpr();
    this._applyViewport();
  }

  _onResize(entries) {
    const r = entries[entries.length - 1].contentRect;
    this._cssW = Math.max(0, r.width);
    this._cssH = Math.max(0, r.height);
    this._applyViewport();
  }

  _applyViewport() {
    const v = this._viewer;
    if (!v) return;
    if (!this._ro) { this._cssW = this._stage.clientWidth; this._cssH = this._stage.clientHeight; }
    try { v.setViewport(this._cssW, this._cssH, window.devicePixelRatio || 1); } catch (e) { this._warnOnce('setViewport', e); }
    this._invalidate();
  }

  _init() {
    if (this._alive) return;
    this._alive = true;
    this._fatal = false;
    this._fallback.hidden = true;
    const gen = ++this._lifeGen;
    this._setStatus('loading');
    this._viewerReady = this._setupViewer(gen);
    // Model and environment downloads run in parallel with the wasm download and GPU setup.
    const url = this._resolve(this.src);
    if (url && !(this._modelBytes && this._modelUrl === url)) this._loadModel();
    if (this.environment && !this._envBytes) this._loadEnvironment();
    if (this._mode === 'camera' || this.mode === 'camera') this.startCamera();
    else this._applyMode(this.mode);
  }

  _teardown() {
    if (!this._alive) return;
    this._alive = false;
    this._lifeGen++;
    this._stopLoop();
    this._camSeq++;
    this._stopStream();
    this._loadSeq++;
    if (this._abort) { this._abort.abort(); this._abort = null; }
    this._loading = false;
    this._envSeq++;
    this._tracking.dispose();
    const v = this._viewer;
    this._viewer = null;
    this._viewerReady = Promise.resolve(null);
    this._glbQueue = Promise.resolve();
    if (v) { try { v.free(); } catch { /* already gone */ } }
    this._pointers.clear();
  }

  /** Creates the Viewer (WebGPU build, falling back once to the WebGL2 build) and applies all state. */
  async _setupViewer(gen) {
    let viewer;
    try {
      viewer = await this._createViewer(gen);
    } catch (e) {
      if (gen === this._lifeGen) this._gpuUnavailable(e);
      return null;
    }
    if (!viewer) return null; // stale
    this._viewer = viewer;
    this._glbQueue = Promise.resolve();
    try { this._backend = viewer.backend; } catch { this._backend = null; }
    this._applyViewport();
    try { viewer.setPxPerMm(this.pxPerMm ?? undefined); } catch (e) { this._warnOnce('setPxPerMm', e); }
    this._autoGemQuality = null;
    this._applyGemQuality();
    this._applySparkle();
    if (this._envBytes) {
      try { viewer.setEnvironmentHdr(this._envBytes); } catch (e) { console.warn(`<loupe-tryon>: environment rejected: ${errorMessage(e)}`); }
    }
    this._applyBackground();
    this._startLoop();
    this._updateTracking(true);
    if (this._modelBytes) { // re-created (reconnect or context loss): reload the current model from memory
      try { this._modelInfo = await this._queueGlb(viewer, this._modelBytes); } catch (e) { this._warnOnce('reload', e); }
      if (gen !== this._lifeGen) return null;
      this._applyVariant();
      this._invalidate();
    }
    this._updateStatus();
    return viewer;
  }

  async _createViewer(gen) {
    const kind = await chooseBackend();
    const attempts = kind === 'webgpu' ? ['webgpu', 'webgl'] : ['webgl'];
    let lastError;
    for (const k of attempts) {
      if (gen !== this._lifeGen) return null;
      const canvas = this._freshCanvas(); // a canvas that tried WebGPU cannot give a WebGL2 context
      try {
        const m = await loadBuild(k);
        if (gen !== this._lifeGen) return null;
        const viewer = await m.Viewer.create(canvas);
        if (gen !== this._lifeGen || canvas !== this._canvas) { try { viewer.free(); } catch {} return null; }
        const first = !this._wasm;
        this._wasm = m;
        if (first && this.calibration !== 'none') queueMicrotask(() => this.calibrate(this.calibration));
        if (k !== kind) backendChoice = Promise.resolve(k); // later elements skip the failed backend
        return viewer;
      } catch (e) {
        lastError = e;
        if (k !== attempts[attempts.length - 1]) console.warn(`<loupe-tryon>: ${k} build failed (${errorMessage(e)}), trying WebGL2`);
      }
    }
    throw lastError;
  }

  _freshCanvas() {
    const c = document.createElement('canvas');
    c.setAttribute('part', 'canvas');
    c.setAttribute('aria-hidden', 'true');
    // wgpu's GL backend does not report a lost WebGL context: recover as soon as the browser says so.
    c.addEventListener('webglcontextlost', (e) => { e.preventDefault(); if (c === this._canvas) this._onContextLost(); });
    if (this._canvas) this._canvas.replaceWith(c); else this._stage.append(c);
    this._canvas = c;
    return c;
  }

  _gpuUnavailable(e) {
    this._fatal = true;
    this._stopLoop();
    this._emitError('gpu-unavailable', `3D rendering is not available on this device: ${errorMessage(e)}`);
    this._setStatus('error');
    this._message('3D view not available on this device');
    this._poster.alt = this.alt;
    this._updatePoster();
  }

  // ---- model and environment ----

  _resolve(url) {
    if (!url) return '';
    try { return new URL(url, document.baseURI).href; } catch { return url; }
  }

  async _loadModel() {
    const url = this._resolve(this.src);
    const seq = ++this._loadSeq;
    if (this._abort) this._abort.abort();
    this._abort = null;
    if (!url) { this._loading = false; this._updateStatus(); return; }
    const ac = new AbortController();
    this._abort = ac;
    this._loading = true;
    this._updateStatus();
    const stale = () => seq !== this._loadSeq;
    let bytes;
    try {
      const res = await fetch(url, { signal: ac.signal });
      if (!res.ok) throw new Error(`HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`);
      bytes = await this._readWithProgress(res, url, stale);
      if (stale()) return;
      const viewer = await this._whenViewer();
      if (stale()) return;
      if (!viewer) { this._loading = false; return; } // gpu-unavailable was already reported
      const info = await this._queueGlb(viewer, bytes);
      if (stale()) return;
      this._modelBytes = bytes;
      this._modelUrl = url;
      this._modelInfo = info;
      this._modelFailed = false;
      this._loading = false;
      this._abort = null;
      if (info && Array.isArray(info.warnings)) for (const w of info.warnings) console.warn(`<loupe-tryon> ${url}: ${w}`);
      this._applyVariant();
      this._updateTracking(!this.hasAttribute('kind'));
      this._emit('load', { url, src: this.src, ...(info || {}) });
      this._updateStatus();
      this._invalidate();
    } catch (e) {
      if (stale() || (e && e.name === 'AbortError')) return;
      this._loading = false;
      this._abort = null;
      this._modelFailed = true;
      this._emitError('model-load', `Could not load model ${url}: ${errorMessage(e)}`, { url });
      this._updateStatus();
      this._invalidate();
    }
  }

  async _readWithProgress(res, url, stale) {
    const total = Number(res.headers.get('Content-Length')) || 0;
    if (!res.body || !res.body.getReader) {
      const b = new Uint8Array(await res.arrayBuffer());
      if (!stale()) this._emit('progress', { fraction: 1, loaded: b.length, total: total || b.length, url });
      return b;
    }
    const reader = res.body.getReader();
    const chunks = [];
    let loaded = 0;
    if (!stale()) this._emit('progress', { fraction: 0, loaded: 0, total, url });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      // With a compressed response Content-Length counts compressed bytes: clamp below 1 until done.
      if (total && !stale()) this._emit('progress', { fraction: Math.min(0.99, loaded / total), loaded, total, url });
    }
    const bytes = new Uint8Array(loaded);
    let o = 0;
    for (const c of chunks) { bytes.set(c, o); o += c.length; }
    if (!stale()) this._emit('progress', { fraction: 1, loaded, total: total || loaded, url });
    return bytes;
  }

  /** loadGlb calls never overlap on one viewer. */
  _queueGlb(viewer, bytes) {
    const p = this._glbQueue.then(() => viewer.loadGlb(bytes));
    this._glbQueue = p.catch(() => {});
    return p;
  }

  /** Resolves with the current viewer (or null if none can exist), following re-creations. */
  async _whenViewer() {
    for (;;) {
      const p = this._viewerReady;
      const v = await p;
      if (p === this._viewerReady) return v;
    }
  }

  async _loadEnvironment() {
    const seq = ++this._envSeq;
    const url = this._resolve(this.environment);
    if (!url) return;
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const viewer = await this._whenViewer();
      if (seq !== this._envSeq || !viewer) return;
      viewer.setEnvironmentHdr(bytes);
      this._envBytes = bytes;
      this._invalidate();
    } catch (e) {
      if (seq === this._envSeq) console.warn(`<loupe-tryon>: environment ${url} not used (${errorMessage(e)}); keeping the default`);
    }
  }

  // ---- modes, camera, photo ----

  _setModeInternal(m) {
    this._mode = m;
    if (this.getAttribute('mode') !== m) this.setAttribute('mode', m); // attributeChangedCallback sees no change
    this._photoButton.hidden = m !== 'photo';
  }

  _applyMode(m) {
    if (m === 'camera') { this.startCamera(); return; }
    this._camSeq++;
    this._stopStream();
    this._setModeInternal(m);
    this._bg = m === 'photo' && this._photo ? 'image' : 'neutral';
    if (m === 'photo' && !this._photo) this._message(`Choose a photo of your ${BODY_OF_KIND[this.kind] || 'hand'}`);
    else this._message('');
    this._applyBackground();
    this._startLoop();
    this._updateStatus();
    this._updateTracking(false);
  }

  _applyGemQuality() {
    const v = this._viewer;
    if (!v) return;
    try {
      if (!this._autoGemQuality) {
        const q = v.gemQuality;
        this._autoGemQuality = [q.maxBounces, q.raysPerPixel];
      }
      const value = (this.getAttribute('gem-quality') || 'auto').toLowerCase();
      if (value !== 'auto' && !GEM_QUALITY[value]) {
        console.warn(`<loupe-tryon>: gem-quality "${value}" is not auto, high, medium or low; using auto`);
      }
      const [bounces, rays] = GEM_QUALITY[value] || this._autoGemQuality;
      v.setGemQuality(bounces, rays);
      this._invalidate();
    } catch (e) { this._warnOnce('setGemQuality', e); }
  }

  _sparkleValue(warn) {
    const attr = this.getAttribute('sparkle');
    if (attr === null || attr.trim() === '') return DEFAULT_SPARKLE;
    const v = Number(attr);
    if (Number.isFinite(v) && v >= 0 && v <= 1) return v;
    if (warn) console.warn(`<loupe-tryon>: sparkle "${attr}" is not a number from 0 to 1; using ${DEFAULT_SPARKLE}`);
    return DEFAULT_SPARKLE;
  }

  _applySparkle() {
    const v = this._viewer;
    if (!v) return;
    try {
      v.setSparkle(this._sparkleValue(true));
      this._invalidate();
    } catch (e) { this._warnOnce('setSparkle', e); }
  }

  _applyBackground() {
    const v = this._viewer;
    if (!v) return;
    try {
      if (this._bg === 'video') { if (!this._tracking._showingFrames) v.setVideo(this._video, this._mirror); }
      else if (this._bg === 'image' && this._photo) v.setImage(this._photo, false);
      else v.setNeutralBackground();
      if (this._bg !== 'video' && v.clearCameraLight) { v.clearCameraLight(); this._lightAt = undefined; }
      const reduce = this._reducedMotion && this._reducedMotion.matches;
      v.setTurntable(this._mode === 'viewer' && !reduce);
    } catch (e) {
      this._warnOnce('background', e);
    }
    this._invalidate();
  }

  /** Starts the camera (call it from a user gesture on phones). Resolves true when a feed is shown. */
  async startCamera() {
    const seq = ++this._camSeq;
    this._setModeInternal('camera');
    this._stopStream();
    if (!this._alive) return false; // connectedCallback starts it
    const facing = this.facing;
    const md = navigator.mediaDevices;
    if (!md || typeof md.getUserMedia !== 'function') {
      return this._cameraFailed(seq, 'camera-unavailable', 'No camera API (navigator.mediaDevices needs a secure context: https or localhost)');
    }
    this._message('Starting camera…');
    let stream;
    try {
      stream = await md.getUserMedia({ audio: false, video: { facingMode: { ideal: facing }, width: { ideal: 1280 }, height: { ideal: 720 } } });
    } catch (e) {
      const name = e && e.name;
      const denied = name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError';
      return this._cameraFailed(seq, denied ? 'camera-denied' : 'camera-unavailable', `${name || 'Error'}: ${errorMessage(e)}`);
    }
    if (seq !== this._camSeq || !this._alive) { stopTracks(stream); return false; }
    this._stream = stream;
    for (const t of stream.getVideoTracks()) {
      t.addEventListener('ended', () => {
        if (this._stream === stream) this._cameraFailed(++this._camSeq, 'camera-unavailable', 'The camera stopped');
      });
    }
    const video = this._video;
    video.removeAttribute('src');
    video.loop = false;
    video.srcObject = stream;
    try {
      await playVideo(video);
    } catch (e) {
      if (seq !== this._camSeq) return false;
      this._stopStream();
      return this._cameraFailed(seq, 'camera-unavailable', `Camera video did not play: ${errorMessage(e)}`);
    }
    return this._showVideo(seq, facing === 'user', 'camera', { facing });
  }

  async _showVideo(seq, mirror, source, detail) {
    const viewer = await this._whenViewer();
    if (seq !== this._camSeq || !this._alive) return false;
    if (!viewer) { this._stopStream(); return false; }
    this._mirror = mirror;
    this._bg = 'video';
    this._videoSource = source;
    this._message(source === 'fallback-video' ? 'No camera found: showing a demo video' : '');
    this._applyBackground();
    this._startLoop();
    this._updateStatus();
    this._emit('camera-start', { source, ...detail });
    this._updateTracking(false);
    return true;
  }

  _cameraFailed(seq, type, message) {
    if (seq !== this._camSeq) return false;
    this._stopStream();
    this._emitError(type, message);
    if (type === 'camera-unavailable' && this.fallbackVideo && this._alive) return this._playFallback(seq);
    this._setModeInternal('viewer');
    this._bg = 'neutral';
    this._message(type === 'camera-denied' ? 'Camera permission denied: showing the 3D view' : 'No camera found: showing the 3D view');
    this._applyBackground();
    this._startLoop();
    this._updateStatus();
    return false;
  }

  async _playFallback(seq) {
    const video = this._video;
    video.srcObject = null;
    video.crossOrigin = 'anonymous';
    video.loop = true;
    video.muted = true;
    video.src = this._resolve(this.fallbackVideo);
    try {
      await playVideo(video);
    } catch (e) {
      if (seq !== this._camSeq) return false;
      console.warn(`<loupe-tryon>: fallback video ${this.fallbackVideo} did not play (${errorMessage(e)})`);
      this._stopStream();
      this._setModeInternal('viewer');
      this._bg = 'neutral';
      this._applyBackground();
      this._startLoop();
      this._updateStatus();
      return false;
    }
    return this._showVideo(seq, false, 'fallback-video', { url: video.src });
  }

  _stopStream() {
    stopTracks(this._stream);
    this._stream = null;
    const video = this._video;
    if (video.srcObject || video.getAttribute('src')) {
      video.pause();
      video.srcObject = null;
      video.removeAttribute('src');
      video.load();
    }
    this._videoSource = null;
    if (this._bg === 'video') { // the viewer must not keep sampling a video that has no frames
      this._bg = 'neutral';
      this._updateTracking(false);
      this._applyBackground();
      this._startLoop();
    }
  }

  /** Stops the camera (or demo video) and returns to viewer mode. */
  stopCamera() {
    this._camSeq++;
    const wasCamera = this._mode === 'camera';
    this._stopStream();
    if (wasCamera) this._applyMode('viewer');
  }

  /** Opens the file chooser for photo mode (call it from a user gesture). */
  choosePhoto() {
    this._fileInput.click();
  }

  /** Uses a still image (File/Blob, ImageBitmap, <img>, canvas…) as the background; switches to photo mode. */
  async setPhoto(source) {
    let bitmap;
    try {
      bitmap = source instanceof ImageBitmap ? source : await createImageBitmap(source, { imageOrientation: 'from-image' });
    } catch (e) {
      console.warn(`<loupe-tryon>: could not read the photo (${errorMessage(e)})`);
      this._message('Could not read that photo');
      return false;
    }
    if (this._photo && this._photo !== bitmap) this._photo.close();
    this._photo = bitmap;
    if (this._mode !== 'photo') { this._camSeq++; this._stopStream(); this._setModeInternal('photo'); }
    this._bg = 'image';
    this._message('');
    this._applyBackground();
    this._startLoop();
    this._updateStatus();
    this._updateTracking(false);
    return true;
  }

  // ---- picture ----

  /** The composed picture as the user sees it (video/photo + jewel). */
  toBlob(type = 'image/png', quality) {
    return new Promise((resolve, reject) => {
      const v = this._viewer;
      const c = this._canvas;
      if (!v || !c || !c.width || !c.height) { reject(new Error('<loupe-tryon> has nothing to capture yet')); return; }
      // The canvas does not preserve its drawing buffer: draw and capture in the same task.
      if (!this._render(performance.now())) { reject(new Error('<loupe-tryon> could not draw a frame')); return; }
      c.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas.toBlob failed'))), type, quality);
    });
  }

  // ---- frame loop ----

  _continuousRaf() {
    if (this._bg === 'video') return true;
    const reduce = this._reducedMotion && this._reducedMotion.matches;
    return this._mode === 'viewer' && !reduce; // turntable
  }

  _startLoop() {
    this._stopLoop();
    if (!this._viewer || !this._connected || this._fatal) return;
    const gen = this._loopGen;
    const video = this._video;
    if (this._bg === 'video' && typeof video.requestVideoFrameCallback === 'function') {
      this._loopKind = 'rvfc';
      const onFrame = (now) => {
        if (gen !== this._loopGen) return;
        this._rvfcId = video.requestVideoFrameCallback(onFrame);
        this._render(now);
      };
      this._rvfcId = video.requestVideoFrameCallback(onFrame);
      this._dirty = true;
      this._schedule();
    } else if (this._continuousRaf()) {
      this._loopKind = 'raf';
      const onRaf = (now) => {
        if (gen !== this._loopGen) return;
        this._rafId = requestAnimationFrame(onRaf);
        this._render(now);
      };
      this._rafId = requestAnimationFrame(onRaf);
    } else {
      this._loopKind = 'on-demand';
      this._dirty = true;
      this._schedule();
    }
  }

  _stopLoop() {
    this._loopGen++;
    if (this._rafId) cancelAnimationFrame(this._rafId);
    this._rafId = 0;
    if (this._rvfcId && typeof this._video.cancelVideoFrameCallback === 'function') this._video.cancelVideoFrameCallback(this._rvfcId);
    this._rvfcId = 0;
    if (this._oneShot) cancelAnimationFrame(this._oneShot);
    this._oneShot = 0;
    this._loopKind = 'none';
  }

  /** Something changed: make sure a frame is drawn soon. */
  _invalidate() {
    this._dirty = true;
    if (this._loopKind === 'on-demand' || this._loopKind === 'rvfc') this._schedule();
  }

  /** One extra frame on demand (photo mode, or a gesture while the video is stalled). */
  _schedule() {
    if (this._oneShot || !this._viewer || !this._connected) return;
    const gen = this._loopGen;
    this._oneShot = requestAnimationFrame((now) => {
      this._oneShot = 0;
      if (gen !== this._loopGen || !this._dirty) return;
      // With a live video, the next video frame draws anyway unless the video has stalled.
      if (this._loopKind === 'rvfc' && performance.now() - this._lastRenderAt < 40) { this._schedule(); return; }
      this._render(now);
    });
  }

  /**
   * Light from the camera, at most 10 times a second: a 32×24 copy of the frame as shown goes to
   * the viewer (it never leaves the page), which lights the jewel with the room's light.
   */
  _sampleRoomLight(v) {
    const video = this._video;
    if (this._bg !== 'video' || !v.setCameraLight || !video || video.readyState < 2 || !video.videoWidth) return;
    const now = performance.now();
    if (this._lightAt !== undefined && now - this._lightAt < ROOM_LIGHT_INTERVAL_MS) return;
    this._lightAt = now;
    try {
      const [w, h] = ROOM_LIGHT_SIZE;
      if (!this._lightCtx) {
        const c = document.createElement('canvas');
        c.width = w;
        c.height = h;
        this._lightCtx = c.getContext('2d', { willReadFrequently: true });
      }
      const g = this._lightCtx;
      g.setTransform(this._mirror ? -1 : 1, 0, 0, 1, this._mirror ? w : 0, 0);
      g.drawImage(video, 0, 0, w, h);
      v.setCameraLight(g.getImageData(0, 0, w, h).data, w, h, now);
    } catch (e) { this._warnOnce('camera light', e); }
  }

  /** Draws one frame. Returns true when something was drawn. */
  _render(now) {
    const v = this._viewer;
    if (!v || this._recovering) return false;
    this._dirty = false;
    this._lastRenderAt = performance.now();
    if (!(this._cssW > 0 && this._cssH > 0)) return false; // zero-size element: nothing to draw
    let lost = false;
    try {
      lost = v.contextLost;
      if (!lost) {
        this._sampleRoomLight(v);
        v.render(now);
      }
    } catch (e) {
      if (isContextLostError(e) || safeContextLost(v)) lost = true;
      else { this._warnOnce('render', e); return false; }
    }
    if (lost) { this._onContextLost(); return false; }
    this._framesRendered++;
    if (this._modelBytes && this._firstFrameMs === undefined) {
      this._firstFrameMs = performance.now() - this._connectedAt;
      try { performance.mark('loupe:first-frame', { detail: { ms: this._firstFrameMs, src: this._modelUrl } }); } catch { /* old browsers */ }
    }
    if (!this._posterDone && (this._modelBytes || this._bg !== 'neutral')) { this._posterDone = true; this._updatePoster(); }
    if (this._animUntil > performance.now()) this._invalidate(); // a fade in progress
    return true;
  }

  /** Keeps drawing for `ms` even without new frames (a tracked jewel fading in or out). */
  _animateFor(ms) {
    this._animUntil = Math.max(this._animUntil, performance.now() + ms);
  }

  // ---- tracking (see tracking.js) ----

  /** Tracking runs in camera and photo modes unless `tracking="off"`; `restart` applies new settings. */
  _updateTracking(restart) {
    if (!this._alive) return;
    const want = this.tracking !== 'off' && !!this._viewer && (this._bg === 'video' || (this._bg === 'image' && !!this._photo));
    const state = this._tracking.state;
    if (!want) { if (state !== 'off') this._tracking.stop(); return; }
    if (restart || state === 'off') this._tracking.start();
  }

  _trackingTarget() {
    return { kind: this.kind, finger: this.finger, hand: this.hand, model: this.trackingModel };
  }

  _onContextLost() {
    if (this._recovering || !this._alive) return;
    this._recovering = true;
    this._stopLoop();
    this._emitError('context-lost', 'The GPU context was lost; restarting the viewer');
    const old = this._viewer;
    this._viewer = null;
    try { old && old.free(); } catch { /* ignore */ }
    if (++this._recoveries > 5) { // a device that keeps dying: stop trying
      this._recovering = false;
      this._gpuUnavailable(new Error('the GPU context was lost repeatedly'));
      return;
    }
    const gen = ++this._lifeGen;
    this._viewerReady = this._setupViewer(gen);
    this._viewerReady.finally(() => { this._recovering = false; if (gen === this._lifeGen) { this._startLoop(); this._invalidate(); } });
  }

  // ---- gestures and keyboard ----

  _onPointerDown(e) {
    if (!this._viewer || (e.pointerType === 'mouse' && e.button !== 0)) return;
    try { this._stage.setPointerCapture(e.pointerId); } catch { /* synthetic pointer */ }
    this._pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    this._stage.focus({ preventScroll: true });
    e.preventDefault();
  }

  _onPointerMove(e) {
    const p = this._pointers.get(e.pointerId);
    const v = this._viewer;
    if (!p || !v) return;
    const x = e.clientX, y = e.clientY;
    if (this._pointers.size === 1) {
      v.moveBy(x - p.x, y - p.y);
    } else if (this._pointers.size === 2) {
      const other = [...this._pointers.entries()].find(([id]) => id !== e.pointerId)[1];
      const d0 = Math.hypot(p.x - other.x, p.y - other.y);
      const d1 = Math.hypot(x - other.x, y - other.y);
      const a0 = Math.atan2(p.y - other.y, p.x - other.x);
      const a1 = Math.atan2(y - other.y, x - other.x);
      let da = a1 - a0;
      if (da > Math.PI) da -= 2 * Math.PI;
      if (da < -Math.PI) da += 2 * Math.PI;
      if (d0 > 8 && d1 > 8) v.zoomBy(d1 / d0);
      v.twist(da);
      v.moveBy((x - p.x) / 2, (y - p.y) / 2); // the midpoint moves by half of one finger's move
    }
    p.x = x; p.y = y;
    e.preventDefault();
    this._invalidate();
  }

  _onWheel(e) {
    const v = this._viewer;
    if (!v) return;
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const d = (e.deltaY || (e.shiftKey ? e.deltaX : 0)) * unit;
    if (!d) return;
    if (e.shiftKey) v.turn(0, -d * 0.004);
    else if (this.pxPerMm) return; // true scale: zoom is ignored, so let the page scroll
    else v.zoomBy(Math.exp(-d * 0.002));
    e.preventDefault();
    this._invalidate();
  }

  _onKeyDown(e) {
    const v = this._viewer;
    if (!v || e.ctrlKey || e.metaKey || e.altKey) return;
    const step = e.shiftKey ? 1 : 10;
    switch (e.key) {
      case 'ArrowLeft': v.moveBy(-step, 0); break;
      case 'ArrowRight': v.moveBy(step, 0); break;
      case 'ArrowUp': v.moveBy(0, -step); break;
      case 'ArrowDown': v.moveBy(0, step); break;
      case '+': case '=': v.zoomBy(1.1); break;
      case '-': case '_': v.zoomBy(1 / 1.1); break;
      case '[': v.twist(-5 * DEG); break;
      case ']': v.twist(5 * DEG); break;
      case 'PageUp': v.turn(0, 5 * DEG); break;
      case 'PageDown': v.turn(0, -5 * DEG); break;
      case ',': case '<': v.turn(-5 * DEG, 0); break;
      case '.': case '>': v.turn(5 * DEG, 0); break;
      case '0': case 'Home': v.resetPlacement(); break;
      default: return;
    }
    e.preventDefault();
    this._invalidate();
  }

  // ---- status, poster, events ----

  _updateStatus() {
    if (!this._alive) return;
    let s;
    if (this._fatal) s = 'error';
    else if (!this._viewer || this._loading) s = 'loading';
    else if (this._bg === 'video') s = 'camera';
    else if (this._modelFailed && !this._modelBytes) s = 'error';
    else s = 'ready';
    this._setStatus(s);
    if (s === 'loading') this._message(this._statusLine.textContent || 'Loading…');
    else if (this._statusLine.textContent === 'Loading…' || this._statusLine.textContent === 'Starting camera…') this._message('');
  }

  _setStatus(s) {
    if (this.getAttribute('status') !== s) this.setAttribute('status', s);
  }

  _message(text) {
    if (this._statusLine.textContent !== text) this._statusLine.textContent = text;
  }

  _updatePoster() {
    const show = !!this.poster && (this._fatal || !this._posterDone);
    this._poster.hidden = !show;
    this._fallback.hidden = !(this._fatal && !this.poster);
  }

  // ---- true scale (see calibration.js) ----

  /** Opens the guided calibration flow: 'card', 'ring-size' or 'screen' (default: the attribute). */
  calibrate(method = this.calibration) {
    if (method === 'none') { this._calibrationFlow.stop(); return; }
    this._calibrationFlow.start(method);
  }

  /** Closes an open calibration flow; the current scale is kept. */
  cancelCalibration() { this._calibrationFlow.stop(); }

  /** What card detection and the hand tracker read: the camera frame or the photo, or null. */
  _frameSource() {
    const v = this._video;
    if (this._bg === 'video' && v.readyState >= 2 && v.videoWidth > 0) {
      return { source: v, width: v.videoWidth, height: v.videoHeight, mirror: this._mirror };
    }
    if (this._bg === 'image' && this._photo) {
      return { source: this._photo, width: this._photo.width, height: this._photo.height, mirror: false };
    }
    return null;
  }

  _applyCalibration(detail) {
    if (this._tracking.state === 'tracking' && this._viewer) {
      // The hand (or face) becomes the ruler: its measured knuckle span (or eye distance) keeps
      // true size as it moves.
      try {
        if (BODY_OF_KIND[this.kind] === 'face') {
          const eyes = this._viewer.measureFace(detail.pxPerMm);
          if (eyes !== undefined) detail = { ...detail, eyeDistanceMm: eyes };
        } else {
          const span = this._viewer.measureHand(detail.pxPerMm);
          if (span !== undefined) detail = { ...detail, knuckleSpanMm: span };
        }
      } catch (e) { this._warnOnce('measure', e); }
    }
    this._calibration = detail;
    this.setAttribute('px-per-mm', String(Math.round(detail.pxPerMm * 10000) / 10000));
    this._emit('calibrated', detail);
    // A card beside a tracked hand also measures the finger the ring is on.
    const gen = this._fingerGen = (this._fingerGen || 0) + 1;
    if (detail.method === 'card') {
      measureFingerWithCard(this, detail, () => gen === this._fingerGen && this.isConnected)
        .catch((e) => this._warnOnce('finger', e));
    }
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  _emitError(type, message, extra) {
    this._emit('error', { type, message, ...(extra || {}) });
  }

  _warnOnce(key, e) {
    const msg = `${key}: ${errorMessage(e)}`;
    if (this._warned.has(msg)) return;
    this._warned.add(msg);
    console.warn(`<loupe-tryon> ${msg}`);
  }
}

function safeContextLost(v) {
  try { return !!v.contextLost; } catch { return false; }
}

if (!customElements.get('loupe-tryon')) customElements.define('loupe-tryon', LoupeTryon);
