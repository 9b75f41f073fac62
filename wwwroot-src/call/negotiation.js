// One pair's negotiation, MDN's "perfect negotiation": the same code on both sides; the polite side of the pair (by
// comparing participant ids) rolls back its own offer when offers collide, the impolite side ignores the other's.
// Works on anything shaped like an RTCPeerConnection, so node tests drive it with a fake one.

import { SerialQueue, sdpSessionId } from './rules.js';

export class Negotiation {
  #pc;
  #send;
  #beforeAnswer;
  #report;
  #queue = new SerialQueue();
  #pendingCandidates = [];
  #makingOffer = false;
  #ignoreOffer = false;
  #remoteSession = null;
  closed = false;

  /**
   * @param {{ pc: RTCPeerConnection, polite: boolean, send: (message: object) => Promise<unknown>,
   *   beforeAnswer?: () => void, report?: (what: string, error: unknown) => void }} options
   *   beforeAnswer: runs once a remote offer is set and before it is answered (the answerer adds its tracks then);
   *   report: a step that failed (the pair goes on; repair notices a pair that never gets media)
   */
  constructor({ pc, polite, send, beforeAnswer = () => {}, report = () => {} }) {
    this.#pc = pc;
    this.polite = polite;
    this.#send = send;
    this.#beforeAnswer = beforeAnswer;
    this.#report = report;
  }

  /** The browser asks for an offer (onnegotiationneeded). */
  async offer() {
    try {
      this.#makingOffer = true;
      await this.#pc.setLocalDescription();
      await this.#send({ description: this.#pc.localDescription.toJSON() });
    } catch (e) {
      this.#report('making an offer', e);
    } finally {
      this.#makingOffer = false;
    }
  }

  /**
   * Applies one relayed message, strictly after the previous one (SignalR does not await its handlers, so a candidate
   * could otherwise be applied before the description it belongs to).
   * @returns {Promise<void>} settles when it has been applied (or failed, which is reported)
   */
  receive({ description, candidate }) {
    return this.#queue.push(async () => {
      if (this.closed) return;
      if (description) await this.#onDescription(description);
      else if (candidate) await this.#onCandidate(candidate);
    }).catch((e) => this.#report(description ? `applying the ${description.type}` : 'adding a candidate', e));
  }

  /** Is this offer from another connection of the peer than the one we talk to? */
  isNewSession(description) {
    const session = sdpSessionId(description.sdp);
    return this.#remoteSession !== null && session !== null && session !== this.#remoteSession;
  }

  async #onDescription(description) {
    const collision = description.type === 'offer' && (this.#makingOffer || this.#pc.signalingState !== 'stable');
    this.#ignoreOffer = !this.polite && collision;
    if (this.#ignoreOffer) return;
    await this.#pc.setRemoteDescription(description); // rolls back our own offer first when polite
    this.#remoteSession = sdpSessionId(description.sdp) ?? this.#remoteSession;
    // Candidates that arrived before their description. One that fails is reported and skipped: it must not cost the
    // pair its answer (the others, or later ones, may well connect it).
    for (const c of this.#pendingCandidates.splice(0)) {
      await this.#addCandidate(c).catch((e) => this.#report('adding an early candidate', e));
    }
    if (description.type !== 'offer') return;
    this.#beforeAnswer();
    await this.#pc.setLocalDescription();
    await this.#send({ description: this.#pc.localDescription.toJSON() });
  }

  async #onCandidate(candidate) {
    if (!this.#pc.remoteDescription) {
      this.#pendingCandidates.push(candidate); // applied as soon as the description they belong to is set
      return;
    }
    await this.#addCandidate(candidate);
  }

  async #addCandidate(candidate) {
    try {
      await this.#pc.addIceCandidate(candidate);
    } catch (e) {
      // Candidates for an offer we deliberately ignored are expected to fail; anything else is a real error.
      if (!this.#ignoreOffer) throw e;
    }
  }
}
