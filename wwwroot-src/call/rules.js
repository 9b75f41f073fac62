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
  return { text: trimmed };
}
