// True scale for <loupe-tryon>: the guided flows behind its `calibration` attribute.
//
//   card       a bank card held beside the hand: detected live (outline drawn), confirmed by the
//              user, or its four corners placed by hand when detection fails or on request
//   ring-size  the finger's width where the ring sits equals the inner diameter of `ring-size`:
//              the user drags two marks to the finger's edges
//   screen     the screen ring sizer: match an on-screen rectangle to a card held against the
//              screen (stored per device), then fit a circle inside a ring the user owns
//
// After a card calibration with a tracked hand wearing a ring, the finger is measured at the card's
// scale (size-measured, method 'finger').
//
// The maths runs in the element's WebAssembly module (detectCard, trackCard, fitCardCorners, screenPxPerMm,
// ringFromCircle, ringInnerDiameterMm, measureFinger, fingerSize). Camera frames are read into a canvas on this device and
// never leave it. See README.md, "True scale".

export const CALIBRATIONS = ['none', 'card', 'ring-size', 'screen'];
/** Proximal phalanx landmarks per finger (MediaPipe's hand model), and where a ring sits on it. */
const PHALANX = { thumb: [2, 3], index: [5, 6], middle: [9, 10], ring: [13, 14], little: [17, 18] };
const RING_FRACTION = 0.4;
/** Half the search line across the finger, as a share of the phalanx: a proximal phalanx is
 *  about 2.5 finger widths long, so 0.45 reaches about 1.1 widths out from the centre. */
const FINGER_SEARCH_HALF = 0.45;
/** Where along the phalanx (knuckle 0, middle joint 1) the edges are looked for, in order. */
const FINGER_SEARCH_AT = [RING_FRACTION, 0.55, 0.7];

/** ID-1 card (ISO/IEC 7810), mm: as CARD_WIDTH_MM, CARD_HEIGHT_MM, CARD_CORNER_RADIUS_MM in Rust. */
const CARD_MM = { width: 85.6, height: 53.98, radius: 3.18 };
const CARD_ASPECT = CARD_MM.width / CARD_MM.height;
/** CSS px per mm by the CSS definition (96 px per inch): where the screen sizer's rectangle starts. */
const NOMINAL_CSS_PX_PER_MM = 96 / 25.4;

/** localStorage key of the screen calibration; per screen, since a phone and its external display differ. */
export function screenKey() {
  const s = globalThis.screen || {};
  return `loupe:css-px-per-mm:${s.width || 0}x${s.height || 0}@${globalThis.devicePixelRatio || 1}`;
}

/** The stored CSS px per mm for this screen, or null. */
export function storedScreenScale() {
  try {
    const v = parseFloat(localStorage.getItem(screenKey()));
    return Number.isFinite(v) && v > 0 ? v : null;
  } catch { return null; } // storage blocked (private mode, sandboxed frame)
}

/** Cover-fit of a frame into a box (as the renderer draws the camera): frame px ↔ CSS px. */
export function coverMapping(frameW, frameH, cssW, cssH, mirror) {
  const scale = Math.max(cssW / frameW, cssH / frameH);
  const ox = (cssW - frameW * scale) / 2;
  const oy = (cssH - frameH * scale) / 2;
  return {
    scale,
    toCss: ([x, y]) => { const cx = ox + x * scale; return [mirror ? cssW - cx : cx, oy + y * scale]; },
    toFrame: ([cx, cy]) => { const x = mirror ? cssW - cx : cx; return [(x - ox) / scale, (cy - oy) / scale]; },
  };
}

/**
 * Longest side, px, of the frame copy handed to card detection, which searches it at half size.
 * Detection wants a card at least 37 px wide in the copy, so the copy's size sets the smallest card
 * it finds. On 1280×720 scenes of the synthetic set (the ignored test `element_copy_sizes`, seeds
 * 200 to 203 read as hex: 480 cards, 240 frames without one), 960 px copies find 71.5 % of cards
 * and claim 1.3 % false cards; 800 px copies (searched at full detail) 69.2 % and 1.7 %; 640 px
 * copies 58.8 % and none; the 1280 px frame itself, at half size, 82.9 % and 5.0 %. The gap is in
 * small cards: of those 100 px wide or more in the frame, 960 px copies find 88.1 % and the frame
 * itself 89.3 %; of those under 60 px, 26.6 % and 67.9 %.
 */
const DETECT_LONG_SIDE_PX = 960;
/** Least pause between detections, ms; and the pause is at least three times the last detection's
 * time, so a slow device (or a slow frame) never spends more than a quarter of its main thread on
 * the search and the page stays responsive. */
const DETECT_INTERVAL_MS = 200;
const DETECT_PAUSE_PER_MS = 3;
/** Least pause while a found card is followed (`trackCard`, a few ms): its outline keeps up with
 * the hand, about 15 times a second. */
const TRACK_INTERVAL_MS = 66;
/** Consecutive detections before "Use this card" is offered: one lucky frame is not a card. */
const STABLE_DETECTIONS = 2;

export const CALIBRATION_STYLE = `
.calib { position: absolute; inset: 0; pointer-events: none; font: 13px/1.4 system-ui, sans-serif; }
.calib svg { position: absolute; inset: 0; width: 100%; height: 100%; }
.calib polygon { fill: rgba(26,115,232,.12); stroke: #1a73e8; stroke-width: 2; }
.calib line { stroke: #1a73e8; stroke-width: 2; }
.calib-panel { position: absolute; left: 8px; right: 8px; top: 8px; padding: 8px 10px; border-radius: 10px;
  background: rgba(255,255,255,.94); color: #222; pointer-events: auto; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.calib-panel p { margin: 0; flex: 1 1 100%; }
.calib-panel .calib-error { color: #b00020; }
.calib-panel input[type=range] { flex: 1 1 160px; }
.handle { position: absolute; width: 28px; height: 28px; margin: -14px 0 0 -14px; border-radius: 50%; padding: 0;
  border: 2px solid #1a73e8; background: rgba(255,255,255,.6); pointer-events: auto; touch-action: none; cursor: move; }
.sizer { position: absolute; inset: 0; background: #fff; pointer-events: auto; }
.sizer-shape { position: absolute; left: 50%; top: 58%; transform: translate(-50%, -50%); border: 2px solid #222; }
`;

/** One flow at a time, drawn in `layer` (a div over the stage). */
export class CalibrationFlow {
  /**
   * @param {object} host the element: `_wasm`, `_frameSource()`, `_cssW`, `_cssH`, `ringSize`,
   *   `sizeSystem`, `_applyCalibration(detail)`, `_emit`, `_emitError`
   * @param {HTMLElement} layer
   */
  constructor(host, layer) {
    this.host = host;
    this.layer = layer;
    this.method = 'none';
    this._timer = 0;
    this._detectChain = null;
    this._detection = null;
    this._tracked = null;
    this._stable = 0;
    this._handles = [];
  }

  get active() { return this.method !== 'none'; }

  start(method) {
    this.stop();
    this.method = CALIBRATIONS.includes(method) ? method : 'none';
    if (this.method === 'card') this._startCard();
    else if (this.method === 'ring-size') this._startRingSize();
    else if (this.method === 'screen') this._startScreen();
  }

  stop() {
    clearTimeout(this._timer);
    this._timer = 0;
    this._detectChain = null;
    this._detection = null;
    this._tracked = null;
    this._stable = 0;
    this._handles = [];
    this.method = 'none';
    this.layer.replaceChildren();
    this.layer.hidden = true;
  }

  // ---- shared pieces ----

  _panel(text, buttons) {
    this.layer.hidden = false;
    const panel = document.createElement('div');
    panel.className = 'calib-panel';
    panel.setAttribute('part', 'calibration-panel');
    const p = document.createElement('p');
    p.textContent = text;
    p.setAttribute('role', 'status');
    const error = document.createElement('p');
    error.className = 'calib-error';
    error.setAttribute('role', 'alert');
    error.hidden = true;
    panel.append(p, error);
    const made = {};
    for (const [key, label, onClick] of buttons) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.dataset.action = key;
      b.addEventListener('click', onClick);
      panel.append(b);
      made[key] = b;
    }
    this.layer.append(panel);
    return { panel, text: p, error, buttons: made };
  }

  _showError(ui, message) {
    ui.error.textContent = message;
    ui.error.hidden = !message;
  }

  _wasm() {
    const m = this.host._wasm;
    if (!m) throw new Error('the try-on is still starting; try again in a moment');
    return m;
  }

  _svg() {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.layer.append(svg);
    return svg;
  }

  /** A draggable, keyboard-movable mark at CSS px `at`; `onMove` after each move. */
  _handle(at, label, onMove) {
    const h = document.createElement('button');
    h.type = 'button';
    h.className = 'handle';
    h.setAttribute('part', 'calibration-handle');
    h.setAttribute('aria-label', `${label}: drag, or use the arrow keys (Shift: 10 px)`);
    const place = ([x, y]) => {
      h._at = [Math.min(Math.max(x, 0), this.host._cssW), Math.min(Math.max(y, 0), this.host._cssH)];
      h.style.left = `${h._at[0]}px`;
      h.style.top = `${h._at[1]}px`;
      onMove();
    };
    h.addEventListener('pointerdown', (e) => {
      h.setPointerCapture(e.pointerId);
      e.preventDefault();
      e.stopPropagation();
    });
    h.addEventListener('pointermove', (e) => {
      if (!h.hasPointerCapture(e.pointerId)) return;
      const r = this.layer.getBoundingClientRect();
      place([e.clientX - r.left, e.clientY - r.top]);
    });
    h.addEventListener('keydown', (e) => {
      const step = e.shiftKey ? 10 : 1;
      const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
      if (!d) return;
      e.preventDefault();
      e.stopPropagation();
      place([h._at[0] + d[0], h._at[1] + d[1]]);
    });
    this.layer.append(h);
    h._place = place;
    h._at = at;
    place(at);
    return h;
  }

  // ---- card ----

  _startCard() {
    const ui = this._panel('Hold a bank card flat beside your hand, in the same plane, with all of it in view.', [
      // One button: the detected card, or the marks once they are shown.
      ['use', 'Use this card', () => (this._handles.length ? this._confirmManual(ui) : this._confirmDetection(ui))],
      ['manual', 'Place corners by hand', () => this._startManualCard(ui)],
      ['cancel', 'Cancel', () => this.stop()],
    ]);
    ui.buttons.use.disabled = true;
    const svg = this._svg();
    const outline = document.createElementNS('http://www.w3.org/2000/svg', 'polygon');
    outline.setAttribute('part', 'calibration-outline');
    outline.style.display = 'none';
    svg.append(outline);
    this._cardUi = { ui, outline };
    const chain = {};
    this._detectChain = chain;
    const next = () => {
      const started = performance.now();
      this._detectOnce();
      // After stop() (or a new start), this chain ends.
      if (this._detectChain !== chain) return;
      const interval = this._tracked ? TRACK_INTERVAL_MS : DETECT_INTERVAL_MS;
      const pause = Math.max(interval, DETECT_PAUSE_PER_MS * (performance.now() - started));
      this._timer = setTimeout(next, pause);
    };
    this._timer = setTimeout(next, DETECT_INTERVAL_MS);
  }

  _detectOnce() {
    const { ui, outline } = this._cardUi;
    if (this._handles.length) return; // placing by hand
    const frame = this._grabFrame();
    if (!frame) {
      ui.text.textContent = 'Waiting for the camera or a photo…';
      return;
    }
    let found;
    let followed = false;
    try {
      // Follow the card found in the last frame (a fraction of a fresh search's time); search
      // the frame afresh when there was none, the copy's size changed, or it is lost.
      const last = this._tracked;
      if (last && last.width === frame.width && last.height === frame.height) {
        found = JSON.parse(this._wasm().trackCard(frame.rgba, frame.width, frame.height, new Float32Array(last.corners.flat())));
        followed = found.found;
      }
      if (!found?.found) found = JSON.parse(this._wasm().detectCard(frame.rgba, frame.width, frame.height));
    } catch (e) {
      this._tracked = null;
      this._showError(ui, `Card detection failed: ${e.message || e}. Place the corners by hand.`);
      return;
    }
    this._tracked = found.found ? { width: frame.width, height: frame.height, corners: found.corners_px } : null;
    if (!found.found) {
      this._stable = 0;
      this._detection = null;
      outline.style.display = 'none';
      ui.buttons.use.disabled = true;
      // Small cards are most of the misses (see DETECT_LONG_SIDE_PX), and the user can fix that.
      ui.text.textContent = 'Looking for a card… Hold it flat beside your hand, nearer if it looks small '
        + '(under a tenth of the picture\'s width), or place its corners by hand.';
      return;
    }
    // Back to full-frame px, then to CSS px for the outline.
    found.corners_px = found.corners_px.map(([x, y]) => [x / frame.scale, y / frame.scale]);
    found.px_per_mm /= frame.scale;
    if (found.focal_px != null) found.focal_px /= frame.scale;
    const map = coverMapping(frame.fullWidth, frame.fullHeight, this.host._cssW, this.host._cssH, frame.mirror);
    outline.setAttribute('points', found.corners_px.map((c) => map.toCss(c).join(',')).join(' '));
    outline.style.display = '';
    // How the outline was found: `tracked` (followed from the last frame) or `detected`.
    outline.dataset.source = followed ? 'tracked' : 'detected';
    this._stable += 1;
    this._detection = { ...found, cssPerFramePx: map.scale };
    const ready = this._stable >= STABLE_DETECTIONS;
    ui.buttons.use.disabled = !ready;
    ui.text.textContent = ready
      ? `Card found (confidence ${Math.round(found.confidence * 100)} %). Use it, or place the corners by hand.`
      : 'Card found: hold still…';
  }

  /** The current frame as RGBA at most DETECT_LONG_SIDE_PX long, or null. */
  _grabFrame() {
    if (!this._canvas) this._canvas = document.createElement('canvas');
    return grabFrame(this.host, this._canvas);
  }

  _confirmDetection(ui) {
    const d = this._detection;
    if (!d) return;
    this._finish(cardDetail(d, d.cssPerFramePx, false), ui);
  }

  _startManualCard(ui) {
    const { outline } = this._cardUi;
    const w = this.host._cssW;
    const h = this.host._cssH;
    let start;
    if (this._detection) {
      const src = this.host._frameSource();
      const map = src && coverMapping(src.width, src.height, w, h, src.mirror);
      start = map ? this._detection.corners_px.map((c) => map.toCss(c)) : null;
    }
    if (!start) {
      const cw = Math.min(w * 0.5, h * 0.6 * CARD_ASPECT);
      const ch = cw / CARD_ASPECT;
      start = [[w / 2 - cw / 2, h / 2 - ch / 2], [w / 2 + cw / 2, h / 2 - ch / 2], [w / 2 + cw / 2, h / 2 + ch / 2], [w / 2 - cw / 2, h / 2 + ch / 2]];
    }
    const redraw = () => {
      if (this._handles.length === 4) outline.setAttribute('points', this._handles.map((x) => x._at.join(',')).join(' '));
      outline.style.display = '';
    };
    this._handles = start.map((p, i) => this._handle(p, `Card corner ${i + 1}`, redraw));
    redraw();
    ui.text.textContent = 'Drag the four marks onto the corners of the card (where its straight sides would meet).';
    ui.buttons.manual.hidden = true;
    ui.buttons.use.disabled = false;
    ui.buttons.use.textContent = 'Use these corners';
    this._handles[0].focus();
  }

  _confirmManual(ui) {
    const src = this.host._frameSource();
    // Without a frame, the handles are measured on the element itself (1 frame px = 1 CSS px).
    const fw = src ? src.width : this.host._cssW;
    const fh = src ? src.height : this.host._cssH;
    const map = coverMapping(fw, fh, this.host._cssW, this.host._cssH, src ? src.mirror : false);
    const corners = this._handles.map((x) => map.toFrame(x._at));
    let fit;
    try {
      fit = JSON.parse(this._wasm().fitCardCorners(new Float32Array(corners.flat()), Math.round(fw), Math.round(fh)));
    } catch (e) {
      const message = e && e.message ? e.message : String(e);
      this._showError(ui, `Those corners cannot be a card: ${message}.`);
      this.host._emitError('calibration', message, { method: 'card' });
      return;
    }
    this._finish(cardDetail(fit, map.scale, true), ui);
  }

  // ---- ring size ----

  _startRingSize() {
    let diameterMm;
    const spec = ringSpec(this.host.ringSize, this.host.sizeSystem);
    const ui = this._panel('', [
      ['use', 'Use this width', () => this._confirmRingSize(ui, diameterMm)],
      ['cancel', 'Cancel', () => this.stop()],
    ]);
    try {
      if (!spec) throw new Error('set the ring-size attribute (for example ring-size="7" or "uk:N½") first');
      diameterMm = this._wasm().ringInnerDiameterMm(spec);
    } catch (e) {
      ui.text.textContent = 'Ring-size calibration needs a ring size.';
      this._showError(ui, e.message || String(e));
      ui.buttons.use.disabled = true;
      return;
    }
    const found = this._fingerEdgesFromTracking();
    ui.text.textContent = found
      ? `The marks are on the edges of your ${this.host.finger} finger where the ring sits (${spec}, ${diameterMm.toFixed(2)} mm inside). Adjust them if they are off, then use this width.`
      : `Drag the two marks to the edges of your finger where the ring sits (${spec}, ${diameterMm.toFixed(2)} mm inside).`;
    const svg = this._svg();
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'line');
    svg.append(line);
    const redraw = () => {
      if (this._handles.length !== 2) return;
      const [a, b] = this._handles.map((x) => x._at);
      line.setAttribute('x1', a[0]); line.setAttribute('y1', a[1]);
      line.setAttribute('x2', b[0]); line.setAttribute('y2', b[1]);
    };
    const w = this.host._cssW;
    const h = this.host._cssH;
    const start = found || [[w / 2 - 30, h / 2], [w / 2 + 30, h / 2]];
    this._handles = start.map((p, i) => this._handle(p, `Finger edge ${i + 1}`, redraw));
    this.autoPlaced = !!found;
    redraw();
  }

  /** With a tracked hand: the finger's edges where the ring sits, as two CSS points, or null. */
  _fingerEdgesFromTracking() {
    let wasm;
    try { wasm = this._wasm(); } catch { return null; }
    const found = measureTrackedFinger(this.host, wasm, this._grabFrame(), 1);
    return found && found.edgesCss;
  }

  _confirmRingSize(ui, diameterMm) {
    const [a, b] = this._handles.map((x) => x._at);
    const widthCss = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (!(widthCss >= 4)) {
      this._showError(ui, 'Put the two marks on opposite edges of the finger.');
      return;
    }
    this._finish({ pxPerMm: widthCss / diameterMm, method: 'ring-size', confidence: 1, manual: !this.autoPlaced }, ui);
  }

  // ---- screen ring sizer ----

  _startScreen() {
    const stored = storedScreenScale();
    if (stored) this._screenRing(stored);
    else this._screenCard();
  }

  _sizer(text, buttons, min, max, value, label, shape) {
    this.layer.hidden = false;
    const sizer = document.createElement('div');
    sizer.className = 'sizer';
    sizer.setAttribute('part', 'sizer');
    this.layer.append(sizer);
    const el = document.createElement('div');
    el.className = 'sizer-shape';
    sizer.append(el);
    const ui = this._panel(text, buttons);
    const range = document.createElement('input');
    range.type = 'range';
    range.min = String(min);
    range.max = String(max);
    range.step = 'any';
    range.value = String(value);
    range.setAttribute('aria-label', label);
    ui.panel.insertBefore(range, ui.panel.querySelector('button'));
    const apply = () => shape(el, parseFloat(range.value), ui);
    range.addEventListener('input', apply);
    apply();
    return { ui, range };
  }

  _screenCard() {
    const maxWidth = Math.max(120, this.host._cssW - 20);
    const nominal = Math.min(maxWidth, CARD_MM.width * NOMINAL_CSS_PX_PER_MM);
    const { ui, range } = this._sizer(
      'Hold a bank card against the screen and slide until the rectangle is exactly as wide as the card.',
      [['save', 'Save', () => save()], ['cancel', 'Cancel', () => this.stop()]],
      80, maxWidth, nominal, 'Rectangle width in CSS pixels',
      (el, w) => {
        el.style.width = `${w}px`;
        el.style.height = `${w * CARD_MM.height / CARD_MM.width}px`;
        el.style.borderRadius = `${w * CARD_MM.radius / CARD_MM.width}px`;
      },
    );
    const save = () => {
      let scale;
      try { scale = this._wasm().screenPxPerMm(parseFloat(range.value)); } catch (e) { this._showError(ui, e.message || String(e)); return; }
      try { localStorage.setItem(screenKey(), String(scale)); } catch { /* not stored: still used for this ring */ }
      this.layer.replaceChildren();
      this._screenRing(scale);
    };
  }

  _screenRing(cssPxPerMm) {
    const system = this.host.sizeSystem;
    let reading = null;
    const { ui } = this._sizer(
      'Lay a ring you own on the screen and slide until the circle just fits inside it.',
      [['done', 'Done', () => done()], ['recalibrate', 'Recalibrate screen', () => { this.layer.replaceChildren(); this._screenCard(); }], ['cancel', 'Cancel', () => this.stop()]],
      Math.ceil(12 * cssPxPerMm), Math.floor(25 * cssPxPerMm), 17.3 * cssPxPerMm, 'Circle diameter in CSS pixels',
      (el, d, ui) => {
        el.style.width = `${d}px`; el.style.height = `${d}px`; el.style.borderRadius = '50%';
        try {
          reading = JSON.parse(this._wasm().ringFromCircle(d, cssPxPerMm, system));
          ui.text.textContent = `${system.toUpperCase()} ${reading.size} ± ${reading.uncertainty} (${reading.diameter_mm.toFixed(2)} mm inside)`;
          this._showError(ui, '');
        } catch (e) { reading = null; this._showError(ui, e.message || String(e)); }
      },
    );
    const done = () => {
      if (!reading) return;
      this.stop();
      this.host._emit('size-measured', {
        system: reading.system,
        size: reading.size,
        uncertainty: reading.uncertainty,
        diameterMm: reading.diameter_mm,
        sizes: reading.sizes,
        method: 'screen',
        cssPxPerMm,
      });
    };
  }

  _finish(detail, ui) {
    if (!(Number.isFinite(detail.pxPerMm) && detail.pxPerMm > 0)) {
      this._showError(ui, 'That gives no usable scale; try again.');
      return;
    }
    this.stop();
    this.host._applyCalibration(detail);
  }
}

/** `host`'s current frame drawn into `canvas` at most DETECT_LONG_SIDE_PX long, as RGBA, or null. */
function grabFrame(host, canvas) {
  const src = host._frameSource();
  if (!src) return null;
  const scale = Math.min(1, DETECT_LONG_SIDE_PX / Math.max(src.width, src.height));
  const width = Math.max(1, Math.round(src.width * scale));
  const height = Math.max(1, Math.round(src.height * scale));
  if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
  const g = canvas.getContext('2d', { willReadFrequently: true });
  g.drawImage(src.source, 0, 0, width, height);
  const rgba = new Uint8Array(g.getImageData(0, 0, width, height).data.buffer);
  return { rgba, width, height, scale: width / src.width, fullWidth: src.width, fullHeight: src.height, mirror: src.mirror };
}

/**
 * With a tracked hand: measures the finger where the ring sits in `frame` (from grabFrame) along a
 * line across it (perpendicular to its proximal phalanx, through the ring's place; a little
 * further along when the web between the fingers hides the edges there), at `framePxPerMm` (full
 * frame px per mm). Returns measureFinger's object plus `edgesCss`, or null when there is no hand
 * or no clear edges.
 */
function measureTrackedFinger(host, wasm, frame, framePxPerMm) {
  const res = host.trackedHands;
  const jewel = host.trackedJewel;
  if (host.trackingState !== 'tracking' || !res || !res.hands.length || !jewel || jewel.x === undefined) return null;
  if (!frame || frame.fullWidth !== res.width || frame.fullHeight !== res.height) return null;
  const [i, j] = PHALANX[host.finger] || PHALANX.ring;
  const map = coverMapping(frame.fullWidth, frame.fullHeight, host._cssW, host._cssH, frame.mirror);
  const ringAt = (lm) => [lm[i][0] + RING_FRACTION * (lm[j][0] - lm[i][0]), lm[i][1] + RING_FRACTION * (lm[j][1] - lm[i][1])];
  // The hand the jewel is on.
  const lm = res.hands.map((h) => h.landmarksPx).sort((a, b) => {
    const [ca, cb] = [map.toCss(ringAt(a)), map.toCss(ringAt(b))];
    return Math.hypot(ca[0] - jewel.x, ca[1] - jewel.y) - Math.hypot(cb[0] - jewel.x, cb[1] - jewel.y);
  })[0];
  const [a, b] = [lm[i], lm[j]];
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (!(len > 4)) return null;
  // Across the finger, far enough to leave it on both sides but short of its neighbours.
  const half = FINGER_SEARCH_HALF * len;
  const across = [-(b[1] - a[1]) / len * half, (b[0] - a[0]) / len * half];
  const s = frame.scale;
  for (const t of FINGER_SEARCH_AT) {
    const at = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
    let found;
    try {
      found = JSON.parse(wasm.measureFinger(frame.rgba, frame.width, frame.height,
        (at[0] - across[0]) * s, (at[1] - across[1]) * s, (at[0] + across[0]) * s, (at[1] + across[1]) * s, framePxPerMm * s));
    } catch { continue; }
    if (found.found) return { ...found, edgesCss: found.edges_px.map(([x, y]) => map.toCss([x / s, y / s])) };
  }
  return null;
}

/** Tracker results a finger measurement combines (one for a photo, which is tracked once). */
const FINGER_FRAMES = 5;
/** A finger measurement gives up after this long without enough frames. */
const FINGER_MEASURE_MS = 30000;

/**
 * After a card calibration with a hand tracked and a ring worn: measures the finger where the
 * ring sits at the card's scale over the next few tracker results, then sizes the finger proxy
 * and fires `size-measured {method: 'finger'}`. `isCurrent()` false abandons it (a newer
 * calibration, the element gone). Resolves to the event's detail, or null.
 */
export async function measureFingerWithCard(host, card, isCurrent) {
  if (host.kind !== 'ring' || host.trackingState !== 'tracking' || !(card.framePxPerMm > 0)) return null;
  const wasm = host._wasm;
  if (!wasm) return null;
  const canvas = document.createElement('canvas');
  const widths = [];
  const sigmas = [];
  const photo = host._bg === 'image';
  const until = performance.now() + FINGER_MEASURE_MS;
  let seen = null;
  while (widths.length < (photo ? 1 : FINGER_FRAMES) && performance.now() < until && isCurrent()) {
    const res = host.trackedHands;
    if (res && res.frame !== seen) {
      seen = res.frame;
      const found = measureTrackedFinger(host, wasm, grabFrame(host, canvas), card.framePxPerMm);
      if (found) { widths.push(found.width_mm); sigmas.push(found.sigma_mm); }
      if (photo) break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!widths.length || !isCurrent()) return null;
  let reading;
  try {
    reading = JSON.parse(wasm.fingerSize(new Float32Array(widths), new Float32Array(sigmas), host.sizeSystem));
  } catch (e) {
    console.warn(`<loupe-tryon>: the finger measured ${widths.map((w) => w.toFixed(1)).join(', ')} mm, no ring size (${e.message || e})`);
    return null;
  }
  try { host._viewer && host._viewer.setFingerDiameterMm(reading.diameter_mm); } catch { /* viewer gone */ }
  const detail = {
    system: reading.system,
    size: reading.size,
    uncertainty: reading.uncertainty,
    diameterMm: reading.diameter_mm,
    sizes: reading.sizes,
    method: 'finger',
    frames: widths.length,
  };
  host._emit('size-measured', detail);
  return detail;
}

/** The `calibrated` detail for a card (the detectCard / fitCardCorners object) shown at `cssPerFramePx`. */
function cardDetail(card, cssPerFramePx, manual) {
  return {
    pxPerMm: card.px_per_mm * cssPerFramePx,
    method: 'card',
    confidence: card.confidence,
    manual,
    framePxPerMm: card.px_per_mm,
    focalPx: card.focal_px ?? null,
    cornersPx: card.corners_px,
  };
}

/** `ring-size` and `size-system` as a spec the module parses (`us:7`), or null. */
export function ringSpec(ringSize, sizeSystem) {
  const s = String(ringSize || '').trim();
  if (!s) return null;
  return s.includes(':') ? s : `${sizeSystem || 'us'}:${s}`;
}
