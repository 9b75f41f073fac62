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
