// The peer connections of a full-mesh call: one RTCPeerConnection per other participant, negotiated with MDN's
// "perfect negotiation" (identical code on both sides; the polite side of each pair is decided by comparing ids).
// Events (on the Mesh): 'remote-stream' {peerId, stream}, 'remote-screen' {peerId, stream}, 'peer-state' {peerId, state}.
// Every pair has three media slots in a fixed order: audio, camera, and a screen slot that carries nothing until its
// owner shares a screen (replaceTrack, so sharing starts and stops without renegotiating).

import { HEALTHY_PAIR, SerialQueue, bitratePlan, isPolite, repairStep, screenSharePlan, sdpSessionId } from './rules.js';

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
  /** @type {MediaStreamTrack | null} */
  #screenTrack = null;
  #isMuted;
  /** Each pair's self-repair (rules.js repairStep), checked every second. */
  #repair = new Map();
  #watchdog;

  /**
   * @param {{ selfId: string, signaling: import('./signaling.js').Signaling, media: import('./media.js').LocalMedia,
   *           iceServers: RTCIceServer[], iceTransportPolicy?: RTCIceTransportPolicy, uplinkBudgetKbps: number,
   *           isMuted?: (peerId: string) => boolean }} options  isMuted: the peer has turned off camera and microphone
   */
  constructor({ selfId, signaling, media, iceServers, iceTransportPolicy = 'all', uplinkBudgetKbps, isMuted = () => false }) {
    super();
    this.#selfId = selfId;
    this.#signaling = signaling;
    this.#media = media;
    this.#iceServers = iceServers;
    this.#iceTransportPolicy = iceTransportPolicy;
    this.#budgetKbps = uplinkBudgetKbps;
    this.#isMuted = isMuted;
    this.#watchdog = setInterval(() => this.#checkMedia().catch((e) => console.warn('MeshMeet: media check failed', e)), 1000);
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
      screenTrack: this.#screenTrack,
      send: (message) => this.#signaling.signal({ to: peerId, ...message }),
      events: this,
    });
    this.#links.set(peerId, link);
    if (initiator) link.start();
    else link.startUnlessOfferedWithin(OFFER_WAIT_MS);
    this.#applyBitratePlan();
  }

  /**
   * Fresh ICE servers (TURN credentials are short-lived): new connections use them, and so does every existing one
   * the next time it gathers candidates (an ICE restart while repairing).
   * @param {RTCIceServer[]} iceServers
   */
  setIceServers(iceServers) {
    this.#iceServers = iceServers;
    for (const link of this.#links.values()) link.pc.setConfiguration({ ...link.pc.getConfiguration(), iceServers });
  }

  /** Closes the connection to a peer at once: its media stops. */
  disconnect(peerId) {
    const link = this.#links.get(peerId);
    if (!link) return;
    link.close();
    this.#links.delete(peerId);
    this.#applyBitratePlan();
  }

  /** The peer left: forget its repair state too. */
  forget(peerId) {
    this.disconnect(peerId);
    this.#repair.delete(peerId);
  }

  /** Applies a relayed offer, answer or candidate; an unknown sender gets a connection on the fly. An offer of a
   * new session means the peer replaced its connection (repairing it): ours is replaced too, and answers it. */
  handleSignal({ from, description, candidate }) {
    const link = this.#links.get(from);
    if (!link) this.connect(from, { initiator: false });
    else if (description?.type === 'offer' && link.isNewSession(description)) {
      // Both sides repairing at once: the impolite side keeps its own new connection (the polite one answers it).
      if (link.repairing && !link.polite && link.pc.signalingState === 'have-local-offer') return;
      this.connect(from, { initiator: false });
    }
    this.#links.get(from).receive({ description, candidate });
  }

  close() {
    clearInterval(this.#watchdog);
    for (const id of [...this.#links.keys()]) this.disconnect(id);
  }

  /** Self-repair: a pair whose media stopped gets an ICE restart, then a new connection, then "cannot reach". */
  async #checkMedia() {
    const now = performance.now();
    for (const [peerId, link] of [...this.#links]) {
      const packets = await link.inboundPackets();
      if (this.#links.get(peerId) !== link) continue; // replaced meanwhile
      const watching = link.pc.connectionState === 'connected' && !this.#isMuted(peerId);
      const { state, action } = repairStep(this.#repair.get(peerId) ?? HEALTHY_PAIR, packets, now, watching);
      this.#repair.set(peerId, state);
      if (action === 'none') continue;
      console.warn(`MeshMeet: media from ${peerId}: ${action}`);
      if (action === 'restart-ice') link.pc.restartIce();
      else if (action === 'reconnect') {
        this.connect(peerId, { initiator: true });
        this.#links.get(peerId).repairing = true;
        this.#repair.set(peerId, { ...state, packets: 0 }); // the new connection counts from zero
      } else if (action === 'give-up') this.dispatchEvent(new CustomEvent('peer-state', { detail: { peerId, state: 'unreachable' } }));
      else if (action === 'recovered') this.dispatchEvent(new CustomEvent('peer-state', { detail: { peerId, state: link.pc.connectionState } }));
    }
  }

  /** Sends a screen (or stops sending one, with null) to every peer, in each pair's screen slot. */
  async shareScreen(track) {
    this.#screenTrack = track;
    await Promise.all([...this.#links.values()].map((link) => link.setScreen(track)));
    this.#applyBitratePlan();
  }

  /** Puts a new camera or microphone track on every connection in place of the old one, without renegotiating. */
  async replaceTrack(track) {
    await Promise.all([...this.#links.values()].map((link) => link.replaceTrack(track)));
  }

  /** The last audio level heard from each peer (0..1). */
  audioLevels() {
    return new Map([...this.#links].map(([id, link]) => [id, link.audioLevel()]));
  }

  // Every sender lowers its video as the room grows so that all uploads together fit the uplink budget; a shared
  // screen takes most of it while it lasts.
  #applyBitratePlan() {
    const plan = this.#screenTrack
      ? screenSharePlan(this.#links.size, this.#budgetKbps)
      : { camera: bitratePlan(this.#links.size, this.#budgetKbps), screen: null };
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
  #remoteSession = null;
  /** Made to replace a connection whose media stopped. */
  repairing = false;

  constructor(peerId, { polite, iceServers, iceTransportPolicy, stream, screenTrack, send, events }) {
    this.peerId = peerId;
    this.polite = polite;
    this.stream = stream;
    this.screenTrack = screenTrack;
    this.send = send;
    this.events = events;
    this.pc = new RTCPeerConnection({ iceServers, iceTransportPolicy });
    this.remoteStream = new MediaStream();

    this.pc.onnegotiationneeded = () => this.#offer();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.send({ candidate: candidate.toJSON() }).catch((e) => this.#report('sending a candidate', e));
    };
    this.pc.ontrack = ({ track, streams, transceiver }) => {
      if (transceiver === this.#videoTransceivers()[1]) {
        this.#emit('remote-screen', { stream: new MediaStream([track]) });
        return;
      }
      const source = streams[0] ?? this.remoteStream;
      if (source !== this.remoteStream) this.remoteStream = source;
      else if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
      this.#emit('remote-stream', { stream: this.remoteStream });
    };
    this.pc.onconnectionstatechange = () => {
      const state = this.pc.connectionState;
      this.#emit('peer-state', { state });
      if (state === 'connected') {
        this.repairing = false;
        this.#applyPlan();
      }
      // A network change broke the path: gather new candidates and renegotiate.
      if (state === 'failed') this.pc.restartIce();
    };
  }

  /** Adds our tracks (or receive-only slots when we have none) and the screen slot, which makes the browser ask for
   * an offer. */
  start() {
    if (this.#started || this.#closed) return;
    this.#started = true;
    clearTimeout(this.#timer);
    this.#addTracks();
    for (const kind of ['audio', 'video']) {
      if (!this.pc.getTransceivers().some((t) => t.receiver.track.kind === kind)) this.pc.addTransceiver(kind, { direction: 'recvonly' });
    }
    this.#openScreenSlot();
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

  /** @param {{ camera: object, screen: object | null }} plan */
  applyVideoPlan(plan) {
    this.#plan = plan;
    this.#applyPlan();
  }

  async setScreen(track) {
    this.screenTrack = track;
    const slot = this.#videoTransceivers()[1];
    if (slot && !this.#closed) await slot.sender.replaceTrack(track).catch((e) => this.#report('sharing the screen', e));
  }

  async replaceTrack(track) {
    const sender = track.kind === 'audio'
      ? this.pc.getTransceivers().find((t) => t.receiver.track.kind === 'audio')?.sender
      : this.#videoTransceivers()[0]?.sender;
    if (sender && !this.#closed) await sender.replaceTrack(track).catch((e) => this.#report('switching a device', e));
  }

  /** Is this offer from another connection of the peer than the one we talk to? */
  isNewSession(description) {
    const session = sdpSessionId(description.sdp);
    return this.#remoteSession !== null && session !== null && session !== this.#remoteSession;
  }

  /** Inbound RTP packets so far, audio and video. */
  async inboundPackets() {
    let packets = 0;
    (await this.pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp') packets += s.packetsReceived ?? 0; });
    return packets;
  }

  /** The loudness of the peer's audio as last received (0 when none). */
  audioLevel() {
    const receiver = this.pc.getReceivers().find((r) => r.track.kind === 'audio');
    return receiver?.getSynchronizationSources()[0]?.audioLevel ?? 0;
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
    this.#remoteSession = sdpSessionId(description.sdp) ?? this.#remoteSession;
    for (const c of this.#pendingCandidates.splice(0)) await this.#addCandidate(c);
    if (description.type !== 'offer') return;
    // Answering our first offer: our tracks reuse the transceivers the offer created, so no second round is needed.
    if (!this.#started) {
      this.#started = true;
      clearTimeout(this.#timer);
      this.#addTracks();
      this.#openScreenSlot();
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

  /** The video transceivers in m-line order: the camera's, then the screen slot (the same order on both sides). */
  #videoTransceivers() {
    return this.pc.getTransceivers().filter((t) => t.receiver.track.kind === 'video' && !t.stopped);
  }

  /** The offerer adds the screen slot; the answerer finds it in the offer and makes it able to send too. */
  #openScreenSlot() {
    const videos = this.#videoTransceivers();
    const slot = videos[1] ?? this.pc.addTransceiver('video', { direction: 'sendrecv' });
    slot.direction = 'sendrecv';
    if (this.screenTrack) slot.sender.replaceTrack(this.screenTrack).catch((e) => this.#report('sharing the screen', e));
  }

  async #applyPlan() {
    if (!this.#plan || this.#closed) return;
    const [camera, screen] = this.#videoTransceivers();
    await this.#limit(camera?.sender, this.#plan.camera);
    if (this.#plan.screen) await this.#limit(screen?.sender, this.#plan.screen, 'maintain-resolution');
  }

  async #limit(sender, plan, degradationPreference) {
    if (!sender?.track) return;
    const parameters = sender.getParameters();
    if (!parameters.encodings?.length) return; // not negotiated yet; applied again once connected
    const encoding = parameters.encodings[0];
    encoding.maxBitrate = plan.maxBitrateKbps * 1000;
    encoding.scaleResolutionDownBy = plan.scaleResolutionDownBy;
    encoding.maxFramerate = plan.maxFramerate;
    if (degradationPreference) parameters.degradationPreference = degradationPreference;
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
