// The peer connections of a full-mesh call: the registry of pairs (one RTCPeerConnection per other participant), what
// goes to all of them (tracks, the screen, the bitrate plan, fresh ICE servers) and the repair watchdog. Each pair's
// negotiation is in negotiation.js, its media slots in slots.js, the repair rule in repair.js.
// Events (on the Mesh): 'remote-stream' {peerId, stream}, 'remote-screen' {peerId, stream}, 'peer-state' {peerId, state},
// 'control-open' {peerId}: the pair's control channel opened (send what this page shows of that peer),
// 'link-stats' {peerId, report}: the pair's getStats() report, read once a second for the repair (links.js shows it).
// Every pair uses the page's one certificate (the room code, verification.js, compares what each pair sees of it).

import { REPORT_WAIT_MS, isPolite, uplinkPlan } from './rules.js';
import { Negotiation, offerOutcome } from './negotiation.js';
import { MediaSlots } from './slots.js';
import { CONNECT_MS, Repair } from './repair.js';

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
  #certificates;
  #budgetKbps;
  /** @type {MediaStreamTrack | null} */
  #screenTrack = null;
  /** What each receiver last reported it shows of us (over the pair's control channel), kept across a repair. */
  #views = new Map();
  /** The peers we told we do not show their camera: no video from them is expected. @type {Set<string>} */
  #unseen = new Set();
  #isAudioMuted;
  #isMuted;
  /** Each pair's self-repair, checked every second. A pair that never connects is rebuilt by its impolite side first;
   * the polite side waits twice as long, so the two do not replace it at once. */
  #repair = new Repair((peerId) => (isPolite(this.#selfId, peerId) ? 2 : 1) * CONNECT_MS);
  #watchdog;

  /**
   * @param {{ selfId: string, signaling: import('./signaling.js').Signaling, media: import('./media.js').LocalMedia,
   *           iceServers: RTCIceServer[], iceTransportPolicy?: RTCIceTransportPolicy, uplinkBudgetKbps: number,
   *           certificate: RTCCertificate, isMuted?: (peerId: string) => boolean, isAudioMuted?: (peerId: string) => boolean }} options
   *   certificate: this page's, for all its connections; isMuted: the peer has turned off camera and microphone;
   *   isAudioMuted: its microphone
   */
  constructor({ selfId, signaling, media, iceServers, iceTransportPolicy = 'all', uplinkBudgetKbps, certificate, isMuted = () => false, isAudioMuted = () => false }) {
    super();
    this.#selfId = selfId;
    this.#signaling = signaling;
    this.#media = media;
    this.#iceServers = iceServers;
    this.#iceTransportPolicy = iceTransportPolicy;
    this.#certificates = [certificate];
    this.#budgetKbps = uplinkBudgetKbps;
    this.#isMuted = isMuted;
    this.#isAudioMuted = isAudioMuted;
    this.#watchdog = setInterval(() => this.#checkMedia().catch((e) => console.warn('MeshMeet: media check failed', e)), 1000);
    this.addEventListener('control', ({ detail: { peerId, message } }) => {
      if (message?.type !== 'view') return;
      this.#views.set(peerId, viewReport(message));
      this.#applyBitratePlan();
    });
  }

  /**
   * Connects to a peer. Existing participants offer to a newcomer (initiator = true); the newcomer waits for
   * their offers and only offers itself if none arrives; a connection made to answer an offer that is here already
   * (answering) never offers first.
   * @param {string} peerId
   * @param {{ initiator: boolean, answering?: boolean }} options
   */
  connect(peerId, { initiator, answering = false }) {
    // The peer's sessions the old connection heard of are over: a late message from one of them is dropped, not taken
    // for the peer's new connection.
    const retired = this.#links.get(peerId)?.negotiation.pastSessions() ?? [];
    this.disconnect(peerId);
    const link = new PeerLink(peerId, {
      retired,
      polite: isPolite(this.#selfId, peerId),
      iceServers: this.#iceServers,
      iceTransportPolicy: this.#iceTransportPolicy,
      certificates: this.#certificates,
      // What we send, read when the slots are filled: a camera that came up meanwhile is in it.
      local: () => ({ stream: this.#media.stream, screenTrack: this.#screenTrack }),
      send: (message) => this.#signaling.signal({ to: peerId, ...message }),
      // An answer this connection cannot take: a fresh one at once, which the peer answers with a fresh one of its own,
      // instead of waiting for the repair to notice a pair that gets no media.
      broken: () => {
        if (this.#links.get(peerId) !== link) return;
        console.warn(`MeshMeet: the answer from ${peerId} does not fit this connection: connecting afresh`);
        this.#reconnect(peerId);
      },
      events: this,
    });
    this.#links.set(peerId, link);
    this.#repair.replaced(peerId, performance.now());
    if (initiator) link.start();
    else if (!answering) link.startUnlessOfferedWithin(OFFER_WAIT_MS);
    this.#applyBitratePlan();
    // A receiver that has not reported by then (an older page, a refused channel) gets the room-size plan.
    setTimeout(() => { if (this.#links.get(peerId) === link) this.#applyBitratePlan(); }, REPORT_WAIT_MS);
  }

  /** Sends a small message to one peer over the pair's control channel (dropped while it is not open). */
  sendControl(peerId, message) {
    if (message.type === 'view') {
      if (message.visible) this.#unseen.delete(peerId);
      else this.#unseen.add(peerId);
    }
    this.#links.get(peerId)?.sendControl(message);
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
    this.#repair.forget(peerId);
    this.#views.delete(peerId);
    this.#unseen.delete(peerId);
  }

  /** Applies a relayed offer, answer or candidate; an unknown sender gets a connection on the fly, and an offer may
   * replace the pair's connection with a fresh one that answers it (offerOutcome in negotiation.js). */
  handleSignal({ from, description, candidate }) {
    const link = this.#links.get(from);
    // (A description of a session that is over goes to the negotiation, which drops it.)
    const outcome = !link ? 'replace' : description?.type !== 'offer' || link.negotiation.isStale(description) ? 'apply' : offerOutcome({
      newSession: link.isNewSession(description),
      polite: link.polite,
      repairing: link.repairing,
      signalingState: link.pc.signalingState,
      negotiatedBefore: link.pc.currentRemoteDescription !== null,
    });
    if (outcome === 'ignore') {
      link.negotiation.ignore(description);
      return;
    }
    if (outcome === 'replace') this.connect(from, { initiator: false, answering: description?.type === 'offer' });
    this.#links.get(from).receive({ description, candidate });
  }

  close() {
    clearInterval(this.#watchdog);
    for (const id of [...this.#links.keys()]) this.disconnect(id);
  }

  /** Self-repair: a pair whose media stopped gets an ICE restart, then a new connection, then "cannot reach"; a pair
   * that never connected gets a new connection, then "cannot reach". */
  async #checkMedia() {
    const now = performance.now();
    for (const [peerId, link] of [...this.#links]) {
      if (link.negotiation.resendUnanswered(now)) console.warn(`MeshMeet: no answer from ${peerId} yet: offered again`);
      // Closed under us (the browser dropped that one connection; close() fires no event): rebuilt at once, and the
      // tile says so meanwhile. The peer answers the new connection's offer with a new one of its own.
      const closed = link.pc.connectionState === 'closed';
      const report = closed ? null : await link.pc.getStats().catch(() => null);
      if (this.#links.get(peerId) !== link) continue; // replaced meanwhile
      if (report) this.dispatchEvent(new CustomEvent('link-stats', { detail: { peerId, report } }));
      const packets = report ? inboundPackets(report) : 0;
      const action = closed ? 'reconnect'
        : this.#repair.step(peerId, { packets, connected: link.pc.connectionState === 'connected', muted: this.#expectsNothing(peerId) }, now);
      if (action === 'none') continue;
      console.warn(`MeshMeet: media from ${peerId}: ${action}${closed ? ' (its connection was closed)' : ''}`);
      if (action === 'restart-ice') link.pc.restartIce();
      else if (action === 'reconnect') this.#reconnect(peerId);
      else if (action === 'give-up') this.dispatchEvent(new CustomEvent('peer-state', { detail: { peerId, state: 'unreachable' } }));
      else if (action === 'recovered') this.dispatchEvent(new CustomEvent('peer-state', { detail: { peerId, state: link.pc.connectionState } }));
    }
  }

  /** A fresh connection to the peer, offered by us (its new session tells the peer to replace its own). */
  #reconnect(peerId) {
    this.connect(peerId, { initiator: true });
    this.#links.get(peerId).repairing = true;
  }

  // Nothing arrives from a peer that turned everything off, nor from one whose microphone is off while we do not show
  // its camera (it sends us no video then): the repair leaves that pair alone.
  #expectsNothing(peerId) {
    return this.#isMuted(peerId) || (this.#unseen.has(peerId) && this.#isAudioMuted(peerId));
  }

  /** Sends a screen (or stops sending one, with null) to every peer, in each pair's screen slot. */
  async shareScreen(track) {
    this.#screenTrack = track;
    await Promise.all([...this.#links.values()].map((link) => link.setScreen(track)));
    this.#applyBitratePlan();
  }

  /** Puts a camera or microphone track on every connection, in place of the old one or into the empty slot of a
   * device that came late, without renegotiating. */
  async replaceTrack(track) {
    await Promise.all([...this.#links.values()].map((link) => link.replaceTrack(track)));
  }

  /** This page's certificate's SHA-256 fingerprint, as the others' DTLS transports should show it. */
  get fingerprint() {
    return this.#certificates[0].getFingerprints().find((f) => f.algorithm === 'sha-256')?.value ?? null;
  }

  /**
   * The SHA-256 fingerprint of the certificate the peer presented on the pair's live DTLS transport, or null before
   * the handshake. Chromium names it in the statistics; otherwise it is the remote description's, which the browser's
   * DTLS handshake has checked the presented certificate against (or it would not be connected).
   * @param {RTCStatsReport} report the pair's latest statistics ('link-stats')
   */
  remoteFingerprint(peerId, report) {
    const pc = this.#links.get(peerId)?.pc;
    if (!pc) return null;
    const stats = new Map(report);
    for (const s of stats.values()) {
      if (s.type !== 'transport' || s.dtlsState !== 'connected') continue;
      const certificate = stats.get(s.remoteCertificateId);
      if (certificate?.fingerprintAlgorithm === 'sha-256') return certificate.fingerprint;
    }
    if (pc.sctp?.transport?.state !== 'connected') return null;
    return /^a=fingerprint:sha-256 (\S+)/im.exec(pc.currentRemoteDescription?.sdp ?? '')?.[1] ?? null;
  }

  /** The last audio level heard from each peer (0..1). */
  audioLevels() {
    return new Map([...this.#links].map(([id, link]) => [id, link.audioLevel()]));
  }

  // Each pair's camera is sized to what its receiver shows, within one uplink budget for all pairs (uplinkPlan in
  // rules.js); a shared screen comes first while it lasts.
  #applyBitratePlan() {
    const settings = this.#media.videoSize();
    const now = performance.now();
    const plan = uplinkPlan({
      source: { width: settings.width || 1280, height: settings.height || 720 },
      budgetKbps: this.#budgetKbps,
      sharingScreen: this.#screenTrack !== null,
      peers: [...this.#links].map(([id, link]) => ({ id, waitedMs: now - link.createdAt, report: this.#views.get(id) ?? null })),
    });
    for (const [id, link] of this.#links) link.applyVideoPlan(plan.get(id));
  }
}

/** One pair: its connection, negotiation and media slots. */
class PeerLink {
  /** Our slots are open, or the peer's first offer was answered. */
  #started = false;
  #closed = false;
  #timer = null;
  #plan = null;
  #applying = Promise.resolve();
  /** Made to replace a connection whose media stopped. */
  repairing = false;
  createdAt = performance.now();
  /** @type {RTCDataChannel | null} */
  #control = null;

  constructor(peerId, { polite, iceServers, iceTransportPolicy, certificates, local, send, broken, events, retired }) {
    this.peerId = peerId;
    this.local = local;
    this.events = events;
    this.pc = new RTCPeerConnection({ iceServers, iceTransportPolicy, certificates });
    this.slots = new MediaSlots(this.pc);
    this.negotiation = new Negotiation({
      pc: this.pc,
      polite,
      send,
      retired,
      // Answering an offer: our tracks go into its slots, so the answer needs no second round; our own offer, if it
      // was rolled back, is not made again.
      beforeAnswer: () => {
        this.#started = true;
        clearTimeout(this.#timer);
        this.#openControl();
        return this.slots.adopt(this.local(), (what, e) => this.#report(what, e));
      },
      report: (what, e) => this.#report(what, e),
      broken,
    });
    this.remoteStream = new MediaStream();

    this.pc.onnegotiationneeded = () => this.negotiation.offer();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate) send({ candidate: candidate.toJSON() }).catch((e) => this.#report('sending a candidate', e));
    };
    // What arrives is placed by its slot, not by the stream the sender named: the peer's camera and microphone make
    // one stream here whatever streams they came in.
    this.pc.ontrack = ({ track, transceiver }) => {
      const purpose = this.slots.purposeOf(transceiver);
      if (purpose === 'screen') this.#emit('remote-screen', { stream: new MediaStream([track]) });
      if (purpose !== 'audio' && purpose !== 'camera') return;
      for (const old of this.remoteStream.getTracks()) if (old.kind === track.kind && old !== track) this.remoteStream.removeTrack(old);
      if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
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

  get polite() { return this.negotiation.polite; }

  /** Opens our slots, which makes the browser ask for an offer. */
  start() {
    if (this.#started || this.#closed) return;
    this.#started = true;
    clearTimeout(this.#timer);
    this.#openControl();
    this.slots.open(this.local());
  }

  sendControl(message) {
    if (this.#control?.readyState === 'open') this.#control.send(JSON.stringify(message));
  }

  // The pair's control channel: negotiated with a fixed id on both sides, so it needs no signaling of its own. Made
  // with the first offer or answer (made earlier it would ask for a negotiation of its own, and a newcomer would offer
  // before the others' offers came).
  #openControl() {
    if (this.#control || this.#closed) return;
    this.#control = this.pc.createDataChannel('control', { negotiated: true, id: 0 });
    this.#control.onopen = () => this.#emit('control-open', {});
    this.#control.onmessage = ({ data }) => {
      if (typeof data !== 'string' || data.length > 1000) return;
      try {
        this.#emit('control', { message: JSON.parse(data) });
      } catch { /* not a message of ours */ }
    };
  }

  startUnlessOfferedWithin(ms) {
    this.#timer = setTimeout(() => this.start(), ms);
  }

  /** Applies one relayed message, strictly after the previous one. */
  receive(message) { this.negotiation.receive(message); }

  /** Is this offer from another connection of the peer than the one we talk to? */
  isNewSession(description) { return this.negotiation.isNewSession(description); }

  /** @param {{ camera: object, screen: object | null }} plan */
  applyVideoPlan(plan) {
    this.#plan = plan;
    this.#applyPlan();
  }

  async setScreen(track) {
    const slot = this.slots.screen;
    if (slot && !this.#closed) await slot.sender.replaceTrack(track).catch((e) => this.#report('sharing the screen', e));
  }

  async replaceTrack(track) {
    const sender = (track.kind === 'audio' ? this.slots.audio : this.slots.camera)?.sender;
    if (sender && !this.#closed) await sender.replaceTrack(track).catch((e) => this.#report('switching a device', e));
  }

  /** The loudness of the peer's audio as last received (0 when none). */
  audioLevel() {
    const receiver = this.pc.getReceivers().find((r) => r.track.kind === 'audio');
    return receiver?.getSynchronizationSources()[0]?.audioLevel ?? 0;
  }

  close() {
    this.#closed = true;
    this.negotiation.closed = true;
    clearTimeout(this.#timer);
    this.pc.close();
    this.#emit('peer-state', { state: 'closed' });
  }

  // One application at a time: a setParameters must come from the sender's latest getParameters, and one started
  // while another is still settling is refused ("getParameters() has never been called").
  #applyPlan() {
    this.#applying = this.#applying.then(async () => {
      if (!this.#plan || this.#closed) return;
      await this.#limit(this.slots.camera?.sender, this.#plan.camera);
      if (this.#plan.screen) await this.#limit(this.slots.screen?.sender, this.#plan.screen, 'maintain-resolution');
    }).catch((e) => this.#report('sizing the video', e));
  }

  async #limit(sender, plan, degradationPreference) {
    if (!sender?.track) return;
    const parameters = sender.getParameters();
    if (!parameters.encodings?.length) return; // not negotiated yet; applied again once connected
    const encoding = parameters.encodings[0];
    encoding.active = plan.active !== false;
    if (encoding.active) encoding.maxBitrate = plan.maxBitrateKbps * 1000;
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

/** Inbound RTP packets so far, audio and video, in a getStats() report. */
function inboundPackets(report) {
  let packets = 0;
  report.forEach((s) => { if (s.type === 'inbound-rtp') packets += s.packetsReceived ?? 0; });
  return packets;
}

/** A receiver's report of what it shows of us, as numbers and flags only (it comes from another browser). */
function viewReport(message) {
  const size = (n) => Math.max(0, Math.min(8192, Math.round(Number(n) || 0)));
  return { visible: message.visible === true, width: size(message.width), height: size(message.height), screenShown: message.screenShown !== false };
}
