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

/** What the server accepts as a chat message (DESIGN.md, SendChat): the trimmed text, or why not. */
export const CHAT_MAX_LENGTH = 1000;
export function cleanChatText(text) {
  const trimmed = String(text ?? '').replace(/\r\n/g, '\n').trim();
  if (!trimmed) return { error: 'A message needs some text.' };
  if (trimmed.length > CHAT_MAX_LENGTH) return { error: `A message can be at most ${CHAT_MAX_LENGTH} characters.` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(trimmed)) return { error: 'A message cannot contain control characters.' };
  // Embeddings, overrides and isolates would let a message reorder itself or look like someone else's (as the server says).
  if (/[\u202a-\u202e\u2066-\u2069]/.test(trimmed)) return { error: 'A message cannot contain text-direction control characters.' };
  return { text: trimmed };
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

/** A pair whose media stops for this long, while connected and not muted, is repaired. */
export const STALL_MS = 5000;

/**
 * One step of a pair's self-repair, from the inbound packet count (audio and video together) just read. Media that
 * stops while the connection says "connected" is repaired in three steps, each given STALL_MS to work: an ICE
 * restart, then a fresh peer connection, then giving up (the tile says the peer cannot be reached). Packets flowing
 * again end the repair at any step. A peer that never sent anything (no camera, no microphone) is not a stall.
 * @param {{ packets: number, since: number, stage: number, flowed: boolean }} state stage 0 healthy, 1 ICE
 *   restarted, 2 reconnected, 3 given up; packets as last read (reset to 0 with a new connection)
 * @param {number} packets inbound RTP packets so far on this connection
 * @param {number} now milliseconds
 * @param {boolean} watching false while not connected, or while the peer has muted both camera and microphone
 */
export function repairStep(state, packets, now, watching) {
  if (packets > state.packets) {
    return { state: { packets, since: now, stage: 0, flowed: true }, action: state.stage > 0 ? 'recovered' : 'none' };
  }
  if (!watching || !state.flowed) return { state: { ...state, packets, since: now }, action: 'none' };
  if (now - state.since < STALL_MS || state.stage >= 3) return { state, action: 'none' };
  const stage = state.stage + 1;
  return { state: { ...state, packets, since: now, stage }, action: ['none', 'restart-ice', 'reconnect', 'give-up'][stage] };
}

export const HEALTHY_PAIR = { packets: 0, since: 0, stage: 0, flowed: false };

/** The session id of an SDP ("o=" line): a new one means the peer made a new connection, not a renegotiation. */
export function sdpSessionId(sdp) {
  return /^o=\S+ (\d+) /m.exec(String(sdp ?? ''))?.[1] ?? null;
}
