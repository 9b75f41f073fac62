// Self-repair of the mesh's pairs, decided by a pure step from what each connection reports once a second: media that
// stopped, and pairs that never connected at all (an answer lost to a failed step, a peer that never offered).

/** A pair whose media stops for this long, while connected and not muted, is repaired. */
export const STALL_MS = 5000;

/** A pair that has not connected this long after it was made is made again (a loaded machine needs a few seconds). */
export const CONNECT_MS = 15000;

/** @typedef {{ packets: number, since: number, stage: number, flowed: boolean }} PairState */

/** A new pair, as of now: nothing received yet, no repair under way. @returns {PairState} */
export const newPair = (now) => ({ packets: 0, since: now, stage: 0, flowed: false });

/**
 * One step of a pair's self-repair, from the inbound packet count (audio and video together) just read.
 * Media that stops while the connection says "connected" is repaired in three steps, each given STALL_MS to work: an
 * ICE restart, then a fresh peer connection, then giving up (the tile says the peer cannot be reached). A pair that
 * never got media within CONNECT_MS — never connected, or connected to a peer with something to send and nothing
 * arrived — gets a fresh connection, then gives up after as long again. Packets flowing again end the repair at any
 * step. A connected peer with nothing to send (muted, or no devices, which count as muted) is not repaired.
 * @param {PairState} state stage 0 healthy, 1 ICE restarted, 2 reconnected, 3 given up; packets as last read (reset
 *   to 0 with a new connection); since: when the current stage (or the pair) began
 * @param {number} packets inbound RTP packets so far on this connection
 * @param {number} now milliseconds
 * @param {boolean} watching connected, and the peer has something to send (not muted both ways)
 * @param {boolean} connected the connection says "connected"
 * @param {number} connectMs how long a pair that never connected is given (the two sides of a pair are given different
 *   times, so that they do not both replace the pair at once)
 * @returns {{ state: PairState, action: 'none' | 'restart-ice' | 'reconnect' | 'give-up' | 'recovered' }}
 */
export function repairStep(state, packets, now, watching, connected = watching, connectMs = CONNECT_MS) {
  if (packets > state.packets) {
    return { state: { packets, since: now, stage: 0, flowed: true }, action: state.stage > 0 ? 'recovered' : 'none' };
  }
  if (!state.flowed) {
    // Connected to a peer with nothing to send (muted both ways, or no camera and no microphone): nothing to expect.
    if (connected && !watching) return { state: { ...state, packets, since: now, stage: 0 }, action: state.stage > 0 ? 'recovered' : 'none' };
    if (now - state.since < connectMs || state.stage >= 3) return { state, action: 'none' };
    const stage = state.stage < 2 ? 2 : 3;
    return { state: { ...state, since: now, stage }, action: stage === 2 ? 'reconnect' : 'give-up' };
  }
  if (!watching) return { state: { ...state, packets, since: now }, action: 'none' };
  if (now - state.since < STALL_MS || state.stage >= 3) return { state, action: 'none' };
  const stage = state.stage + 1;
  return { state: { ...state, packets, since: now, stage }, action: ['none', 'restart-ice', 'reconnect', 'give-up'][stage] };
}

/** The repair state of every pair of a mesh, stepped once a second. */
export class Repair {
  /** @type {Map<string, PairState>} */
  #pairs = new Map();
  #patience;

  /** @param {(peerId: string) => number} [patience] how long a pair that never connected is given (connectMs) */
  constructor(patience = () => CONNECT_MS) {
    this.#patience = patience;
  }

  /**
   * The pair's next action, from what its connection reports now.
   * @param {string} peerId
   * @param {{ packets: number, connected: boolean, muted: boolean }} report muted: the peer turned off camera and microphone
   * @param {number} now
   */
  step(peerId, { packets, connected, muted }, now) {
    const { state, action } = repairStep(this.#pairs.get(peerId) ?? newPair(now), packets, now, connected && !muted, connected,
      this.#patience(peerId));
    this.#pairs.set(peerId, state);
    return action;
  }

  /** The pair got a new connection (a repair of ours, or the peer's new connection answered): its packets count from
   * zero and it gets its full time to connect; its stage goes on. */
  replaced(peerId, now) {
    const state = this.#pairs.get(peerId);
    if (state) this.#pairs.set(peerId, { ...state, packets: 0, since: now });
  }

  forget(peerId) { this.#pairs.delete(peerId); }
}
