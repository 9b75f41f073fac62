// One pair's negotiation, MDN's "perfect negotiation": the same code on both sides; the polite side of the pair (by
// comparing participant ids) rolls back its own offer when offers collide, the impolite side ignores the other's.
// An offer nobody answers (a message lost on the way, an offer the other side ignored in a collision that then lost
// its own) is sent again: the other side answers a repeat it already answered with the same answer, so a repeat costs
// nothing. Works on anything shaped like an RTCPeerConnection, so node tests drive it with a fake one.

import { SerialQueue, sdpOrder, sdpSessionId } from './rules.js';

/** An offer unanswered this long is sent again (a loaded machine answers within a second or two). */
export const OFFER_RETRY_MS = 5000;

/**
 * What an offer from the peer does to the pair's connection: 'apply' it (perfect negotiation), 'replace' our connection
 * with a fresh one that answers it, or 'ignore' it.
 * - An offer of another session: the peer made a new connection (repairing the pair), and ours is replaced too, unless
 *   we are the impolite side and made a new one at the same moment (ours stands; the polite side answers it).
 * - Our own first offer crossed theirs and we are the polite side: a fresh connection answers theirs. Rolling back a
 *   first offer would leave our three slots behind as transceivers no session names: the browser would offer them again
 *   as extra m-lines, and stopping them keeps Chromium asking for a renegotiation forever.
 * @param {{ newSession: boolean, polite: boolean, repairing: boolean, signalingState: RTCSignalingState,
 *   negotiatedBefore: boolean }} pair
 * @returns {'apply' | 'replace' | 'ignore'}
 */
export function offerOutcome({ newSession, polite, repairing, signalingState, negotiatedBefore }) {
  if (newSession) return repairing && !polite && signalingState === 'have-local-offer' ? 'ignore' : 'replace';
  return polite && signalingState === 'have-local-offer' && !negotiatedBefore ? 'replace' : 'apply';
}

export class Negotiation {
  #pc;
  #send;
  #beforeAnswer;
  #report;
  #broken;
  #queue = new SerialQueue();
  #pendingCandidates = [];
  #makingOffer = false;
  #ignoreOffer = false;
  #remoteSession = null;
  /** Sessions of the peer's that are over: ones we negotiated with before, and offers we ignored in a collision from a
   * connection the peer then replaced. A late or repeated message of theirs is dropped. */
  #retired = new Set();
  /** Sessions of offers we ignored (retired once we negotiate with another one). */
  #ignored = new Set();
  /** When our pending offer was last sent. */
  #offeredAt = 0;
  closed = false;

  /**
   * @param {{ pc: RTCPeerConnection, polite: boolean, send: (message: object) => Promise<unknown>,
   *   beforeAnswer?: () => void, report?: (what: string, error: unknown) => void, retired?: Iterable<string> }} options
   *   beforeAnswer: runs (and is awaited) once a remote offer is set and before it is answered (the answerer puts its
   *   tracks in the offer's slots then);
   *   report: a step that failed (the pair goes on; repair notices a pair that never gets media);
   *   broken: the answer to our offer could not be applied (say its DTLS role differs from the one the connection
   *   settled on, after offers crossed a replaced connection): this connection can never complete that offer;
   *   retired: the peer's sessions that are over, from the connection this one replaces (pastSessions())
   */
  constructor({ pc, polite, send, beforeAnswer = () => {}, report = () => {}, broken = () => {}, retired = [] }) {
    this.#retired = new Set(retired);
    this.#pc = pc;
    this.polite = polite;
    this.#send = send;
    this.#beforeAnswer = beforeAnswer;
    this.#report = report;
    this.#broken = broken;
  }

  /** The browser asks for an offer (onnegotiationneeded). */
  async offer() {
    try {
      this.#makingOffer = true;
      await this.#pc.setLocalDescription();
      this.#offeredAt = performance.now();
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
    }).catch((e) => {
      this.#report(description ? `applying the ${description.type}` : 'adding a candidate', e);
      // Sending the offer again would only bring the same answer back.
      if (description?.type === 'answer' && !this.closed) this.#broken(e);
    });
  }

  /**
   * Sends our offer again if it has waited OFFER_RETRY_MS for an answer.
   * @param {number} now performance.now()
   * @returns {boolean} whether it was sent again
   */
  resendUnanswered(now) {
    if (this.closed || this.#makingOffer || this.#pc.signalingState !== 'have-local-offer' || now - this.#offeredAt < OFFER_RETRY_MS) return false;
    this.#offeredAt = now;
    this.#send({ description: this.#pc.localDescription.toJSON() }).catch((e) => this.#report('sending the offer again', e));
    return true;
  }

  /** Is this offer from another connection of the peer than the one we talk to, and not one that is over? */
  isNewSession(description) {
    const session = sdpSessionId(description.sdp);
    return this.#remoteSession !== null && session !== null && session !== this.#remoteSession && !this.#retired.has(session);
  }

  /** An offer the pair decided to ignore before it got here (both sides made a new connection at once). */
  ignore(description) {
    const session = sdpSessionId(description.sdp);
    if (session !== null && session !== this.#remoteSession) this.#ignored.add(session);
  }

  /** Every session of the peer's this pair has heard of: for the connection that replaces this one, all are over. */
  pastSessions() {
    return [...this.#retired, ...this.#ignored, ...(this.#remoteSession === null ? [] : [this.#remoteSession])];
  }

  /** Is this description from a connection of the peer's that is over (a message that was late, or sent again)? */
  isStale(description) {
    const session = sdpSessionId(description.sdp);
    return session !== this.#remoteSession && this.#retired.has(session);
  }

  async #onDescription(description) {
    // Nothing new: a session that is over, an answer with no offer of ours waiting, or a description the peer already
    // sent (a repeat, or a late copy of an older one: applying it again would undo what came after it). A repeat of the
    // offer we answered last (our answer was lost, or is on its way) gets that same answer again.
    if (this.isStale(description) || (description.type === 'answer' && this.#pc.signalingState === 'stable')) return;
    const order = sdpOrder(description.sdp, this.#pc.remoteDescription?.sdp);
    if (order !== null && order <= 0) {
      const answer = this.#pc.currentLocalDescription;
      if (order === 0 && description.type === 'offer' && answer?.type === 'answer') await this.#send({ description: answer.toJSON() });
      return;
    }
    const collision = description.type === 'offer' && (this.#makingOffer || this.#pc.signalingState !== 'stable');
    this.#ignoreOffer = !this.polite && collision;
    const session = sdpSessionId(description.sdp);
    if (this.#ignoreOffer) {
      this.ignore(description);
      return;
    }
    await this.#pc.setRemoteDescription(description); // rolls back our own offer first when polite
    if (session !== null && session !== this.#remoteSession) {
      for (const over of [this.#remoteSession, ...this.#ignored]) if (over !== null && over !== session) this.#retired.add(over);
      this.#ignored.clear();
      this.#remoteSession = session;
    }
    // Candidates that arrived before their description. One that fails is reported and skipped: it must not cost the
    // pair its answer (the others, or later ones, may well connect it).
    for (const c of this.#pendingCandidates.splice(0)) {
      await this.#addCandidate(c).catch((e) => this.#report('adding an early candidate', e));
    }
    if (description.type !== 'offer') return;
    await this.#beforeAnswer();
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
