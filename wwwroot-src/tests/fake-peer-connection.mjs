// Enough of RTCPeerConnection for the negotiation and slot logic, as the browsers behave (JSEP): transceivers with
// mids, offers that keep every m-line in its place and append new ones, answers that mirror the offer, a remote offer
// that rolls back our own (the transceivers our offer named lose their mid; ones made by addTransceiver are not reused
// for the remote m-lines, ones made by addTrack are), ontrack when a slot starts receiving, and candidates.

let sessions = 100;

export class FakeTrack {
  constructor(kind, label = kind) {
    this.kind = kind;
    this.label = label;
  }
}

export class FakeStream {
  constructor(tracks = []) { this.tracks = [...tracks]; }
  getTracks() { return [...this.tracks]; }
  getAudioTracks() { return this.tracks.filter((t) => t.kind === 'audio'); }
  getVideoTracks() { return this.tracks.filter((t) => t.kind === 'video'); }
  addTrack(track) { this.tracks.push(track); }
}

class FakeTransceiver {
  mid = null;
  currentDirection = null;
  stopped = false;
  receiving = false;

  constructor(kind, { direction = 'sendrecv', track = null, origin }) {
    this.kind = kind;
    this.direction = direction;
    this.origin = origin;
    this.sender = {
      track,
      streams: [],
      replaceTrack: async (t) => { this.sender.track = t; },
      setStreams: (...streams) => { this.sender.streams = streams; },
    };
    this.receiver = { track: new FakeTrack(kind, `remote ${kind}`) };
  }

  stop() {
    this.stopped = true;
    this.direction = 'stopped';
  }
}

const sends = (direction) => direction === 'sendrecv' || direction === 'sendonly';
const receives = (direction) => direction === 'sendrecv' || direction === 'recvonly';

/** The m-lines of an SDP made by this fake: kind, port, mid, direction. */
export function mLines(sdp) {
  return sdp.split('\r\nm=').slice(1).map((section) => {
    const [kind, port] = section.split(' ', 2);
    return { kind, port: Number(port), mid: /a=mid:(\S+)/.exec(section)[1], direction: /a=(sendrecv|sendonly|recvonly|inactive)/.exec(section)?.[1] ?? 'inactive' };
  });
}

export class FakePeerConnection {
  signalingState = 'stable';
  localDescription = null;
  remoteDescription = null;
  candidates = [];
  /** Candidates whose addIceCandidate throws (a candidate the browser cannot parse, say). */
  badCandidates = new Set();
  /** Description types whose setRemoteDescription throws (an answer whose DTLS role the transport refuses, say). */
  refused = new Set();
  /** @type {((event: { track: FakeTrack, transceiver: FakeTransceiver }) => void) | null} */
  ontrack = null;
  #transceivers = [];
  #version = 1;
  /** The last stable descriptions, to go back to on a rollback. */
  #stableLocal = null;
  #stableRemote = null;
  /** The mids our pending offer gave to transceivers that had none. */
  #offeredMids = [];

  constructor(session = sessions++) { this.session = session; }

  /** The descriptions of the last completed negotiation, as the browsers keep them apart from pending ones. */
  get currentLocalDescription() { return this.signalingState === 'stable' ? this.localDescription : this.#stableLocal; }

  get currentRemoteDescription() { return this.signalingState === 'stable' ? this.remoteDescription : this.#stableRemote; }

  getTransceivers() { return [...this.#transceivers]; }

  addTransceiver(trackOrKind, { direction = 'sendrecv' } = {}) {
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    return this.#add(new FakeTransceiver(track?.kind ?? trackOrKind, { direction, track, origin: 'addTransceiver' }));
  }

  addTrack(track) {
    const free = this.#transceivers.find((t) => !t.stopped && t.kind === track.kind && !t.sender.track && t.origin === 'remote' && !sends(t.currentDirection));
    if (free) {
      free.sender.track = track;
      free.direction = receives(free.direction) ? 'sendrecv' : 'sendonly';
      return free.sender;
    }
    return this.#add(new FakeTransceiver(track.kind, { track, origin: 'addTrack' })).sender;
  }

  async setLocalDescription() {
    if (this.signalingState === 'have-remote-offer') {
      const lines = mLines(this.remoteDescription.sdp).map((line) => {
        const t = this.#byMid(line.mid);
        const direction = !t || t.stopped || line.port === 0 ? 'inactive' : answerDirection(t.direction, line.direction);
        if (t) t.currentDirection = direction;
        return { kind: line.kind, mid: line.mid, port: direction === 'inactive' && (!t || t.stopped) ? 0 : 9, direction };
      });
      this.localDescription = this.#description('answer', lines);
      this.#stableLocal = this.localDescription;
      this.#stableRemote = this.remoteDescription;
      this.signalingState = 'stable';
      return;
    }
    this.#offeredMids = [];
    const session = this.remoteDescription ? mLines(this.remoteDescription.sdp).map((l) => l.mid) : this.localDescription ? mLines(this.localDescription.sdp).map((l) => l.mid) : [];
    let next = Math.max(-1, ...this.#transceivers.map((t) => Number(t.mid)).filter(Number.isFinite), ...session.map(Number).filter(Number.isFinite)) + 1;
    for (const t of this.#transceivers) {
      if (t.mid === null && !t.stopped) {
        t.mid = String(next++);
        this.#offeredMids.push(t);
      }
    }
    const lines = [...session, ...this.#offeredMids.map((t) => t.mid)].map((mid) => {
      const t = this.#byMid(mid);
      return { kind: t.kind, mid, port: t.stopped ? 0 : 9, direction: t.stopped ? 'inactive' : t.direction };
    });
    this.localDescription = this.#description('offer', lines);
    this.signalingState = 'have-local-offer';
  }

  async setRemoteDescription(description) {
    if (this.refused.has(description.type)) throw new Error(`InvalidAccessError: refused ${description.type}`);
    // As in the browsers, the description is in place when the track events fire.
    if (description.type === 'offer' && this.signalingState === 'have-local-offer') this.#rollback();
    this.remoteDescription = { type: description.type, sdp: description.sdp };
    if (description.type === 'offer') {
      for (const line of mLines(description.sdp)) {
        let t = this.#byMid(line.mid)
          ?? this.#transceivers.find((x) => x.mid === null && !x.stopped && x.kind === line.kind && x.origin === 'addTrack');
        if (!t) t = this.#add(new FakeTransceiver(line.kind, { direction: 'recvonly', origin: 'remote' }));
        t.mid = line.mid;
        this.#receive(t, line.direction);
      }
      this.signalingState = 'have-remote-offer';
    } else {
      for (const line of mLines(description.sdp)) {
        const t = this.#byMid(line.mid);
        t.currentDirection = answerDirection(t.direction, line.direction);
        this.#receive(t, line.direction);
      }
      this.#stableLocal = this.localDescription;
      this.#stableRemote = this.remoteDescription;
      this.signalingState = 'stable';
    }
  }

  async addIceCandidate(candidate) {
    if (this.badCandidates.has(candidate.candidate)) throw new Error('bad candidate');
    this.candidates.push(candidate.candidate);
  }

  /** The m-lines a new offer of ours would carry now: kind and whether it is live. */
  async nextOfferLines() {
    const saved = { state: this.signalingState, local: this.localDescription, mids: this.#offeredMids };
    await this.setLocalDescription();
    const lines = mLines(this.localDescription.sdp);
    for (const t of this.#offeredMids) t.mid = null;
    Object.assign(this, { signalingState: saved.state, localDescription: saved.local });
    this.#offeredMids = saved.mids;
    return lines;
  }

  #add(t) {
    this.#transceivers.push(t);
    return t;
  }

  #byMid(mid) { return this.#transceivers.find((t) => t.mid === mid); }

  #rollback() {
    for (const t of this.#offeredMids) t.mid = null;
    this.#offeredMids = [];
    this.localDescription = this.#stableLocal;
    this.signalingState = 'stable';
  }

  #receive(t, remoteDirection) {
    const receiving = sends(remoteDirection) && !t.stopped;
    if (receiving && !t.receiving) this.ontrack?.({ track: t.receiver.track, transceiver: t });
    t.receiving = receiving;
  }

  #description(type, lines) {
    const sdp = `v=0\r\no=- ${this.session} ${this.#version++} IN IP4 127.0.0.1\r\ns=-\r\n`
      + lines.map((l) => `m=${l.kind} ${l.port} UDP/TLS/RTP/SAVPF 96\r\na=mid:${l.mid}\r\na=${l.direction}\r\n`).join('');
    return { type, sdp, toJSON() { return { type: this.type, sdp: this.sdp }; } };
  }
}

function answerDirection(ours, theirs) {
  const send = sends(ours) && receives(theirs);
  const receive = receives(ours) && sends(theirs);
  return send && receive ? 'sendrecv' : send ? 'sendonly' : receive ? 'recvonly' : 'inactive';
}
