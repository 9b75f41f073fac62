// The peer connections of a full-mesh call: one RTCPeerConnection per other participant, negotiated with MDN's
// "perfect negotiation" (identical code on both sides; the polite side of each pair is decided by comparing ids).
// Events (on the Mesh): 'remote-stream' {peerId, stream}, 'peer-state' {peerId, state}.

import { SerialQueue, bitratePlan, isPolite } from './rules.js';

/** How long a newcomer waits for an existing peer's offer before offering itself (a lost PeerJoined). */
const OFFER_WAIT_MS = 3000;

export class Mesh extends EventTarget {
  /** @type {Map<string, PeerLink>} */
  #links = new Map();
  #selfId;
  #signaling;
  #media;
  #iceServers;
  #iceTransportPolicy;
  #budgetKbps;

  /**
   * @param {{ selfId: string, signaling: import('./signaling.js').Signaling, media: import('./media.js').LocalMedia,
   *           iceServers: RTCIceServer[], iceTransportPolicy?: RTCIceTransportPolicy, uplinkBudgetKbps: number }} options
   */
  constructor({ selfId, signaling, media, iceServers, iceTransportPolicy = 'all', uplinkBudgetKbps }) {
    super();
    this.#selfId = selfId;
    this.#signaling = signaling;
    this.#media = media;
    this.#iceServers = iceServers;
    this.#iceTransportPolicy = iceTransportPolicy;
    this.#budgetKbps = uplinkBudgetKbps;
  }

  /**
   * Connects to a peer. Existing participants offer to a newcomer (initiator = true); the newcomer waits for
   * their offers and only offers itself if none arrives.
   * @param {string} peerId
   * @param {{ initiator: boolean }} options
   */
  connect(peerId, { initiator }) {
    this.disconnect(peerId);
    const link = new PeerLink(peerId, {
      polite: isPolite(this.#selfId, peerId),
      iceServers: this.#iceServers,
      iceTransportPolicy: this.#iceTransportPolicy,
      stream: this.#media.stream,
      send: (message) => this.#signaling.signal({ to: peerId, ...message }),
      events: this,
    });
    this.#links.set(peerId, link);
    if (initiator) link.start();
    else link.startUnlessOfferedWithin(OFFER_WAIT_MS);
    this.#applyBitratePlan();
  }

  /** Closes the connection to a peer at once: its media stops. */
  disconnect(peerId) {
    const link = this.#links.get(peerId);
    if (!link) return;
    link.close();
    this.#links.delete(peerId);
    this.#applyBitratePlan();
  }

  /** Applies a relayed offer, answer or candidate; an unknown sender gets a connection on the fly. */
  handleSignal({ from, description, candidate }) {
    if (!this.#links.has(from)) this.connect(from, { initiator: false });
    this.#links.get(from).receive({ description, candidate });
  }

  close() {
    for (const id of [...this.#links.keys()]) this.disconnect(id);
  }

  // Every sender lowers its video as the room grows so that all uploads together fit the uplink budget.
  #applyBitratePlan() {
    const plan = bitratePlan(this.#links.size, this.#budgetKbps);
    for (const link of this.#links.values()) link.applyVideoPlan(plan);
  }
}

class PeerLink {
  #queue = new SerialQueue();
  #pendingCandidates = [];
  #makingOffer = false;
  #ignoreOffer = false;
  #started = false;
  #closed = false;
  #timer = null;
  #plan = null;

  constructor(peerId, { polite, iceServers, iceTransportPolicy, stream, send, events }) {
    this.peerId = peerId;
    this.polite = polite;
    this.stream = stream;
    this.send = send;
    this.events = events;
    this.pc = new RTCPeerConnection({ iceServers, iceTransportPolicy });
    this.remoteStream = new MediaStream();

    this.pc.onnegotiationneeded = () => this.#offer();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.send({ candidate: candidate.toJSON() }).catch((e) => this.#report('sending a candidate', e));
    };
    this.pc.ontrack = ({ track, streams }) => {
      const source = streams[0] ?? this.remoteStream;
      if (source !== this.remoteStream) this.remoteStream = source;
      else if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
      this.#emit('remote-stream', { stream: this.remoteStream });
    };
    this.pc.onconnectionstatechange = () => {
      const state = this.pc.connectionState;
      this.#emit('peer-state', { state });
      if (state === 'connected') this.#applyPlan();
      // A network change broke the path: gather new candidates and renegotiate.
      if (state === 'failed') this.pc.restartIce();
    };
  }

  /** Adds our tracks (or receive-only slots when we have none), which makes the browser ask for an offer. */
  start() {
    if (this.#started || this.#closed) return;
    this.#started = true;
    clearTimeout(this.#timer);
    this.#addTracks();
    for (const kind of ['audio', 'video']) {
      if (!this.pc.getTransceivers().some((t) => t.receiver.track.kind === kind)) this.pc.addTransceiver(kind, { direction: 'recvonly' });
    }
  }

  startUnlessOfferedWithin(ms) {
    this.#timer = setTimeout(() => this.start(), ms);
  }

  /** Applies one relayed message, strictly after the previous one. */
  receive({ description, candidate }) {
    this.#queue.push(async () => {
      if (this.#closed) return;
      if (description) await this.#onDescription(description);
      else if (candidate) await this.#onCandidate(candidate);
    }).catch((e) => this.#report(description ? `applying the ${description.type}` : 'adding a candidate', e));
  }

  applyVideoPlan(plan) {
    this.#plan = plan;
    this.#applyPlan();
  }

  close() {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.pc.close();
    this.#emit('peer-state', { state: 'closed' });
  }

  async #offer() {
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      await this.send({ description: this.pc.localDescription.toJSON() });
    } catch (e) {
      this.#report('making an offer', e);
    } finally {
      this.#makingOffer = false;
    }
  }

  async #onDescription(description) {
    const collision = description.type === 'offer' && (this.#makingOffer || this.pc.signalingState !== 'stable');
    this.#ignoreOffer = !this.polite && collision;
    if (this.#ignoreOffer) return;
    await this.pc.setRemoteDescription(description); // rolls back our own offer first when polite
    for (const c of this.#pendingCandidates.splice(0)) await this.#addCandidate(c);
    if (description.type !== 'offer') return;
    // Answering our first offer: our tracks reuse the transceivers the offer created, so no second round is needed.
    if (!this.#started) {
      this.#started = true;
      clearTimeout(this.#timer);
      this.#addTracks();
    }
    await this.pc.setLocalDescription();
    await this.send({ description: this.pc.localDescription.toJSON() });
  }

  async #onCandidate(candidate) {
    if (!this.pc.remoteDescription) {
      this.#pendingCandidates.push(candidate); // applied as soon as the description they belong to is set
      return;
    }
    await this.#addCandidate(candidate);
  }

  async #addCandidate(candidate) {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (e) {
      // Candidates for an offer we deliberately ignored are expected to fail; anything else is a real error.
      if (!this.#ignoreOffer) throw e;
    }
  }

  #addTracks() {
    for (const track of this.stream.getTracks()) this.pc.addTrack(track, this.stream);
  }

  async #applyPlan() {
    const sender = this.pc.getSenders().find((s) => s.track?.kind === 'video');
    if (!sender || !this.#plan || this.#closed) return;
    const parameters = sender.getParameters();
    if (!parameters.encodings?.length) return; // not negotiated yet; applied again once connected
    const encoding = parameters.encodings[0];
    encoding.maxBitrate = this.#plan.maxBitrateKbps * 1000;
    encoding.scaleResolutionDownBy = this.#plan.scaleResolutionDownBy;
    encoding.maxFramerate = this.#plan.maxFramerate;
    try {
      await sender.setParameters(parameters);
    } catch (e) {
      this.#report('limiting the video bitrate', e);
    }
  }

  #emit(type, detail) {
    this.events.dispatchEvent(new CustomEvent(type, { detail: { peerId: this.peerId, ...detail } }));
  }

  #report(what, error) {
    if (this.#closed) return;
    console.warn(`MeshMeet: ${what} for peer ${this.peerId} failed:`, error);
  }
}
