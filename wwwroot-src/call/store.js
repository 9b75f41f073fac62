// Everyone in the call as the page knows them, self included: the one place their state lives. The view renders from
// the events this store dispatches; nothing reads state back from the DOM.
//   'peer'    { peer, added }  a participant was added or changed (peer is the whole new record)
//   'removed' { id }           a participant left
//   'cleared'                  everyone went (the call ended, or a fresh join)

/**
 * @typedef {{ id: string, displayName: string, isHost: boolean, isCohost: boolean, self: boolean, audioMuted: boolean, videoMuted: boolean,
 *   handRaised: boolean, screenSharing: boolean, speaking: boolean, connection: string, audioHeld: boolean, videoHeld: boolean,
 *   audioByHost: boolean, videoByHost: boolean, recording: boolean }} Peer
 * audioHeld/videoHeld: the host holds it off until they allow it ("Ask to unmute"); audioByHost/videoByHost: it is off
 * because a host turned it off.
 */

const DEFAULTS = { isHost: false, isCohost: false, self: false, audioMuted: false, videoMuted: false, handRaised: false, screenSharing: false,
  speaking: false, connection: 'new', audioHeld: false, videoHeld: false, audioByHost: false, videoByHost: false, recording: false };

export class PeerStore extends EventTarget {
  /** @type {Map<string, Peer>} */
  #peers = new Map();
  /** Everyone the server said left or was removed. Participant ids are never reused, so they stay gone for good. */
  #departed = new Set();
  selfId = '';

  /**
   * Adds (or replaces) a participant from a PeerInfo of the hub; not one who has left (a late announcement).
   * @returns {Peer | undefined}
   */
  add(info) {
    if (this.#departed.has(info.id)) return undefined;
    const peer = Object.freeze({ ...DEFAULTS, ...info, self: info.id === this.selfId });
    this.#peers.set(peer.id, peer);
    this.dispatchEvent(new CustomEvent('peer', { detail: { peer, added: true } }));
    return peer;
  }

  /** Changes some of a participant's state; nothing happens (and nobody hears) when nothing changes or it is unknown. */
  update(id, changes) {
    const peer = this.#peers.get(id);
    if (!peer || Object.entries(changes).every(([key, value]) => peer[key] === value)) return;
    const next = Object.freeze({ ...peer, ...changes });
    this.#peers.set(id, next);
    this.dispatchEvent(new CustomEvent('peer', { detail: { peer: next, added: false } }));
  }

  /** The participant left the call, or was removed: gone from this page for good. */
  remove(id) {
    this.#departed.add(id);
    if (this.#peers.delete(id)) this.dispatchEvent(new CustomEvent('removed', { detail: { id } }));
  }

  /**
   * Has this participant left? Their offers and data are refused from then on, whatever a server or their own browser
   * still sends (a relay that missed a kick, a modified page that keeps its connections).
   */
  hasLeft(id) { return this.#departed.has(id); }

  /** Forgets everyone, self included (a resume, or the end of the call); who left stays gone. */
  clear() {
    this.#peers.clear();
    this.dispatchEvent(new Event('cleared'));
  }

  /** @returns {Peer | undefined} */
  get(id) { return this.#peers.get(id); }

  get self() { return this.#peers.get(this.selfId); }

  /** The others, in the order they were added. @returns {Peer[]} */
  others() { return [...this.#peers.values()].filter((p) => !p.self); }

  /** Everyone in the call, self included. */
  get count() { return this.#peers.size; }

  /** Has the peer turned off both camera and microphone? (no media from it is then no stall) */
  isFullyMuted(id) {
    const peer = this.#peers.get(id);
    return !!peer && peer.audioMuted && peer.videoMuted;
  }
}
