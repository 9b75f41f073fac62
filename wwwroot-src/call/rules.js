// Pure rules of the mesh: no DOM, no WebRTC, unit-tested with node's test runner.

/** Opus at call quality, per peer, kept out of the video budget. */
export const AUDIO_KBPS = 40;

/**
 * Which side of a pair yields when both offer at once (MDN "perfect negotiation"). Both sides compute the same
 * answer from the two participant ids, so exactly one of them is polite.
 * @param {string} selfId
 * @param {string} peerId
 * @returns {boolean}
 */
export function isPolite(selfId, peerId) {
  if (selfId === peerId) throw new Error('A participant does not negotiate with itself.');
  return selfId < peerId;
}

/**
 * How one sender should encode its video for each of its peers, so that all N-1 uploads together fit the uplink.
 * @param {number} peerCount the number of other participants (uploads)
 * @param {number} budgetKbps all uploads together, audio included
 * @returns {{ maxBitrateKbps: number, scaleResolutionDownBy: number, maxFramerate: number }}
 */
export function bitratePlan(peerCount, budgetKbps) {
  const peers = Math.max(1, Math.floor(peerCount));
  const perPeer = Math.floor((budgetKbps - AUDIO_KBPS * peers) / peers);
  // Above ~1.5 Mbps a 720p call looks no better; below ~100 kbps video is useless, so never go under it.
  const maxBitrateKbps = Math.max(100, Math.min(1500, perPeer));
  let scaleResolutionDownBy = 1; // 720p
  if (maxBitrateKbps < 250) scaleResolutionDownBy = 4; // 180p
  else if (maxBitrateKbps < 600) scaleResolutionDownBy = 2; // 360p
  else if (maxBitrateKbps < 1000) scaleResolutionDownBy = 1.5; // 480p
  const maxFramerate = maxBitrateKbps < 250 ? 15 : maxBitrateKbps < 600 ? 24 : 30;
  return { maxBitrateKbps, scaleResolutionDownBy, maxFramerate };
}

/**
 * Runs async jobs one after another, in the order they were pushed. The SignalR client does not await its
 * handlers, so without this an ICE candidate could be applied before the description it belongs to.
 */
export class SerialQueue {
  #tail = Promise.resolve();

  /**
   * @template T
   * @param {() => Promise<T> | T} job
   * @returns {Promise<T>} settles with the job's own result; a failed job does not stop later ones
   */
  push(job) {
    const run = this.#tail.then(() => job());
    this.#tail = run.catch(() => {});
    return run;
  }
}

/**
 * While someone shares a screen, each upload to a peer splits its video share: the screen gets most of it, enough
 * for legible text (encoded at full resolution, content hint "detail"), the camera steps down to a thumbnail.
 * @param {number} peerCount the number of other participants (uploads)
 * @param {number} budgetKbps all uploads together, audio included
 */
export function screenSharePlan(peerCount, budgetKbps) {
  const peers = Math.max(1, Math.floor(peerCount));
  const perPeer = Math.max(300, Math.floor((budgetKbps - AUDIO_KBPS * peers) / peers));
  const screen = Math.min(2500, Math.max(200, Math.round(perPeer * 0.75)));
  const camera = Math.max(100, Math.min(500, perPeer - screen));
  return {
    screen: { maxBitrateKbps: screen, scaleResolutionDownBy: 1, maxFramerate: 15 },
    camera: { maxBitrateKbps: camera, scaleResolutionDownBy: camera < 250 ? 4 : 2, maxFramerate: 15 },
  };
}

/** Audio level (0..1, as WebRTC reports it) above which a peer is speaking; below SILENT_LEVEL it is not. */
export const SPEAKING_LEVEL = 0.02;
export const SILENT_LEVEL = 0.008;
/** How long "speaking" outlasts the last loud sample: the gaps between words do not make the ring flicker. */
export const SPEAKING_HOLD_MS = 800;

/**
 * One step of a peer's "is speaking" flag, from the audio level just measured. A muted peer never speaks.
 * @param {{ speaking: boolean, loudAt: number }} state
 * @param {number} level
 * @param {number} now milliseconds
 * @param {boolean} muted
 * @returns {{ speaking: boolean, loudAt: number }}
 */
export function nextSpeaking(state, level, now, muted) {
  if (muted) return { speaking: false, loudAt: -Infinity };
  const loud = level >= (state.speaking ? SILENT_LEVEL : SPEAKING_LEVEL);
  const loudAt = loud ? now : state.loudAt;
  return { speaking: now - loudAt <= SPEAKING_HOLD_MS, loudAt };
}

/** The call's keyboard shortcuts: key -> action. */
export const SHORTCUTS = { m: 'mute', v: 'video', h: 'hand', c: 'chat' };

/**
 * The action a key press asks for, or null: plain letters only (no modifier keys, so the browser's own shortcuts
 * stay), and never while typing in a field.
 * @param {{ key: string, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean, target?: { tagName?: string, isContentEditable?: boolean } }} event
 */
export function shortcutFor(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const tag = event.target?.tagName?.toUpperCase();
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || event.target?.isContentEditable) return null;
  return SHORTCUTS[String(event.key).toLowerCase()] ?? null;
}

/** The session id of an SDP ("o=" line): a new one means the peer made a new connection, not a renegotiation. */
export function sdpSessionId(sdp) {
  return /^o=\S+ (\d+) /m.exec(String(sdp ?? ''))?.[1] ?? null;
}

/**
 * How a description compares with another from the same connection of the peer, by the session version of the "o="
 * line (each browser counts it up with every description it makes): -1 older, 0 the same one, 1 newer; null when
 * either has none or they come from different sessions.
 */
export function sdpOrder(sdp, than) {
  const origin = (text) => /^o=\S+ (\d+) (\d+) /m.exec(String(text ?? ''));
  const [a, b] = [origin(sdp), origin(than)];
  if (!a || !b || a[1] !== b[1]) return null;
  const [x, y] = [BigInt(a[2]), BigInt(b[2])];
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The sizes a sender encodes its camera at for one receiver, by height, each with the bitrate and frame rate that
 * look right at that size. The first is where a new pair starts and the floor no visible pair goes under.
 */
export const VIDEO_STEPS = [
  { height: 180, maxBitrateKbps: 150, maxFramerate: 15 },
  { height: 270, maxBitrateKbps: 300, maxFramerate: 24 },
  { height: 360, maxBitrateKbps: 500, maxFramerate: 30 },
  { height: 540, maxBitrateKbps: 900, maxFramerate: 30 },
  { height: 720, maxBitrateKbps: 1500, maxFramerate: 30 },
];

/** How long a new pair waits for its receiver's first report before today's room-size plan applies to it. */
export const REPORT_WAIT_MS = 5000;

/**
 * A step's encoding for a camera of the given size: scaled down by height, both dimensions even (Firefox's encoders
 * freeze on odd sizes), never scaled up.
 * @param {{ width: number, height: number }} source the camera track's size
 * @param {number} height the step's height
 */
export function stepSize(source, height) {
  const even = (n) => Math.max(2, 2 * Math.floor(n / 2));
  const h = even(Math.min(height, source.height));
  const scaleResolutionDownBy = source.height / h;
  return { width: even(source.width / scaleResolutionDownBy), height: h, scaleResolutionDownBy };
}

/**
 * The smallest step whose encoding is at least as big as the receiver shows the video (device pixels), or the
 * camera's whole picture.
 * @returns {number} an index into VIDEO_STEPS
 */
export function stepFor(source, shown) {
  const fits = VIDEO_STEPS.findIndex((step) => {
    const size = stepSize(source, step.height);
    return size.width >= shown.width && size.height >= shown.height;
  });
  // The first step as tall as the camera sends it whole (stepSize never scales up); the steps above it add nothing.
  const whole = VIDEO_STEPS.findIndex((step) => step.height >= source.height);
  const largest = whole < 0 ? VIDEO_STEPS.length - 1 : whole;
  return fits < 0 ? largest : Math.min(fits, largest);
}

/**
 * How a sender encodes for each of its receivers, from what each one reports it shows, within one uplink budget.
 * Audio and a shared screen come first (a screen keeps its resolution); the cameras share what is left: a receiver
 * that shows the camera gets the smallest step at or above its size, one that does not gets none (active false), a
 * pair without a report yet starts at the smallest step, and one whose report has not come within REPORT_WAIT_MS gets
 * today's room-size plan. Over the budget, the biggest requests step down first, and no shown camera goes under the
 * smallest step.
 * @param {{
 *   source: { width: number, height: number },
 *   budgetKbps: number,
 *   sharingScreen?: boolean,
 *   peers: { id: string, waitedMs: number, report?: { visible: boolean, width: number, height: number, screenShown?: boolean } | null }[],
 * }} input
 * @returns {Map<string, { camera: { active: boolean, maxBitrateKbps: number, maxFramerate: number, scaleResolutionDownBy: number, width: number, height: number, fallback?: boolean }, screen: { active: boolean, maxBitrateKbps: number, maxFramerate: number, scaleResolutionDownBy: number } | null }>}
 */
export function uplinkPlan({ source, budgetKbps, sharingScreen = false, peers }) {
  const count = Math.max(1, peers.length);
  const roomPlan = sharingScreen ? screenSharePlan(count, budgetKbps).camera : bitratePlan(count, budgetKbps);
  const screen = screenSharePlan(count, budgetKbps).screen;
  const rows = peers.map(({ id, waitedMs, report }) => ({
    id,
    fallback: !report && waitedMs >= REPORT_WAIT_MS,
    step: report ? (report.visible ? stepFor(source, report) : -1) : 0,
    screen: sharingScreen ? { ...screen, active: report?.screenShown !== false } : null,
  }));
  // While sharing, the camera is a thumbnail beside the screen.
  const cap = sharingScreen ? Math.min(1, VIDEO_STEPS.length - 1) : VIDEO_STEPS.length - 1;
  for (const row of rows) row.step = Math.min(row.step, cap);

  const cameraKbps = (row) => (row.fallback ? roomPlan.maxBitrateKbps : row.step < 0 ? 0 : VIDEO_STEPS[row.step].maxBitrateKbps);
  const total = () => rows.reduce((sum, row) => sum + AUDIO_KBPS + (row.screen?.active ? row.screen.maxBitrateKbps : 0) + cameraKbps(row), 0);
  while (total() > budgetKbps) {
    const biggest = rows.filter((row) => !row.fallback && row.step > 0).sort((a, b) => b.step - a.step)[0];
    if (!biggest) break; // every shown camera is at the floor
    biggest.step -= 1;
  }

  return new Map(rows.map((row) => {
    if (row.fallback) {
      const size = stepSize(source, source.height / roomPlan.scaleResolutionDownBy);
      return [row.id, { camera: { active: true, ...size, maxBitrateKbps: roomPlan.maxBitrateKbps, maxFramerate: roomPlan.maxFramerate, fallback: true }, screen: row.screen }];
    }
    const step = VIDEO_STEPS[Math.max(0, row.step)];
    const camera = { active: row.step >= 0, ...stepSize(source, step.height), maxBitrateKbps: row.step < 0 ? 0 : step.maxBitrateKbps, maxFramerate: step.maxFramerate };
    return [row.id, { camera, screen: row.screen }];
  }));
}

/**
 * How long a guest has waited in the lobby, as the host's list says it.
 * @param {number} since ms epoch @param {number} now ms epoch
 */
export function waitedFor(since, now) {
  const minutes = Math.floor(Math.max(0, now - since) / 60_000);
  return minutes < 1 ? 'just now' : minutes < 60 ? `waiting ${minutes} min` : `waiting ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * Who records the call, as the banner says it (the pre-join screen's words come from the server's RecordingRules).
 * @param {string[]} names "you" for this page's own recording
 */
export function recordingWords(names) {
  if (names.length === 0) return '';
  const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const verb = names.length === 1 && names[0] !== 'You' ? 'is' : 'are';
  return `${who} ${verb} recording this call.`;
}

/**
 * Where each of n tiles goes on a recording's canvas: a grid as square as it can be, rows filled from the top.
 * @param {number} n @param {number} width @param {number} height
 * @returns {{ x: number, y: number, w: number, h: number }[]}
 */
export function recordingGrid(n, width, height) {
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const w = Math.floor(width / cols);
  const h = Math.floor(height / rows);
  return Array.from({ length: n }, (_, i) => ({ x: (i % cols) * w, y: Math.floor(i / cols) * h, w, h }));
}

/** Background blur's pace: most frames that share one segmentation, how fast it must go at the least (a camera
 * frame rate below which video looks broken), and how long it may stay slower than that. */
export const BLUR_PACE = { slowest: 4, minFps: 15, giveUpMs: 15000 };

/**
 * Background blur's pace after a second's report: what a frame cost (the median) and how many frames were made.
 * Behind (over 80 % of a camera frame's time) segments fewer frames (every), well ahead (under 40 %) more, one step a
 * report. Frames that take longer than a camera frame are dropped by the browser, so the video only slows. At the
 * slowest pace, too slow for BLUR_PACE.minFps both in cost and in frames made, for giveUpMs (long enough to ride out a
 * busy moment: someone joining, another program), it gives up and the camera is sent as it is.
 * @param {{ every: number, slowSince: number | null }} pace
 * @param {{ costMs: number, frames: number, frameMs: number, now: number }} report
 * @returns {{ every: number, slowSince: number | null, giveUp: boolean }}
 */
export function blurPace(pace, { costMs, frames, frameMs, now }) {
  let every = pace.every;
  if (costMs > frameMs * 0.8 && every < BLUR_PACE.slowest) every++;
  else if (costMs < frameMs * 0.4 && every > 1) every--;
  const tooSlow = every === BLUR_PACE.slowest && costMs > 1000 / BLUR_PACE.minFps && frames < BLUR_PACE.minFps;
  const slowSince = tooSlow ? pace.slowSince ?? now : null;
  return { every, slowSince, giveUp: slowSince !== null && now - slowSince >= BLUR_PACE.giveUpMs };
}
