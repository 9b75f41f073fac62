// A pair's three media slots: audio, camera, and a screen slot that carries nothing until its owner shares a screen.
// Every slot is sendrecv from the start, with or without a track, so a screen share, another device or a camera that
// comes up late is a replaceTrack and never a renegotiation.
//
// The slots are found by what they are, not by where they sit in getTransceivers(): the first audio m-line of the
// negotiated session is the audio slot, its first video m-line the camera, its second the screen. Both sides read the
// same session, and m-lines keep their place in every later offer, so an offer from either side, offers that collided
// and a rollback all end with the same three slots. An m-line that is none of them (from a peer that offers more) is
// stopped, which takes it out of the session.

/** @typedef {'audio' | 'camera' | 'screen'} Purpose */

/** The slots, in the order the offerer makes them. @type {readonly Purpose[]} */
const PURPOSES = ['audio', 'camera', 'screen'];

/**
 * The mid of each slot in a session description: first audio, first and second video m-line (rejected ones, port 0,
 * do not count). A pure reading of the SDP, so both sides of a pair agree on it.
 * @param {string | undefined} sdp
 * @returns {Partial<Record<Purpose, string>>}
 */
export function slotMids(sdp) {
  const mids = {};
  let videos = 0;
  for (const section of (sdp ?? '').split(/\r?\nm=/).slice(1)) {
    const [kind, port] = section.split(' ', 2);
    const mid = /\r?\na=mid:([^\r\n]+)/.exec(section)?.[1];
    if (mid === undefined || port === '0') continue;
    if (kind === 'audio' && mids.audio === undefined) mids.audio = mid;
    if (kind === 'video') {
      if (videos === 0) mids.camera = mid;
      else if (videos === 1) mids.screen = mid;
      videos++;
    }
  }
  return mids;
}

const isStopped = (t) => t.stopped || t.direction === 'stopped' || t.currentDirection === 'stopped';

export class MediaSlots {
  #pc;
  /** The slots we made ourselves, used until a negotiation names them by mid. @type {Partial<Record<Purpose, RTCRtpTransceiver>>} */
  #made = {};
  #mids = { sdp: undefined, mids: {} };
  /** The stream each of our slots was told to name. @type {WeakMap<RTCRtpTransceiver, MediaStream>} */
  #streams = new WeakMap();

  /** @param {RTCPeerConnection} pc */
  constructor(pc) {
    this.#pc = pc;
  }

  /** The offerer makes the three slots, in this order, with what it has to send in them. */
  open({ stream, screenTrack }) {
    const streams = [stream];
    this.#made.audio = this.#pc.addTransceiver(stream.getAudioTracks()[0] ?? 'audio', { direction: 'sendrecv', streams });
    this.#made.camera = this.#pc.addTransceiver(stream.getVideoTracks()[0] ?? 'video', { direction: 'sendrecv', streams });
    this.#streams.set(this.#made.audio, stream).set(this.#made.camera, stream);
    this.#made.screen = this.#pc.addTransceiver(screenTrack ?? 'video', { direction: 'sendrecv' });
  }

  /**
   * A remote offer is set and about to be answered: the slots are its m-lines. Our tracks go into them, every slot
   * can send, and any other m-line it negotiates is stopped. Safe to run on every offer: it changes nothing that is
   * already right.
   * @returns {Promise<void>} settles when the tracks are in place (a failure is reported, the answer goes on)
   */
  async adopt({ stream, screenTrack }, report) {
    const wanted = { audio: stream.getAudioTracks()[0] ?? null, camera: stream.getVideoTracks()[0] ?? null, screen: screenTrack };
    for (const purpose of PURPOSES) {
      let slot = this.slot(purpose);
      // An offer without this slot: we add it, and the renegotiation that follows puts it at the end of the session.
      if (!slot || isStopped(slot)) slot = this.#made[purpose] = this.#pc.addTransceiver(purpose === 'audio' ? 'audio' : 'video', { direction: 'sendrecv' });
      if (slot.direction !== 'sendrecv') slot.direction = 'sendrecv';
      // Naming the stream (for lip sync) asks for a renegotiation every time: only when it changes.
      if (purpose !== 'screen' && this.#streams.get(slot) !== stream) {
        slot.sender.setStreams?.(stream);
        this.#streams.set(slot, stream);
      }
      if (slot.sender.track !== wanted[purpose]) await slot.sender.replaceTrack(wanted[purpose]).catch((e) => report(`putting the ${purpose} in its slot`, e));
    }
    this.stopOthers();
  }

  /** Stops every negotiated m-line that is not one of the three slots: the answer rejects it. (A transceiver no session
   * names is never made here: a first offer that crossed the peer's is not rolled back but replaced, see mesh.js.) */
  stopOthers() {
    const slots = PURPOSES.map((purpose) => this.slot(purpose));
    for (const t of this.#pc.getTransceivers()) if (t.mid !== null && !slots.includes(t) && !isStopped(t)) t.stop();
  }

  /** @param {Purpose} purpose @returns {RTCRtpTransceiver | undefined} */
  slot(purpose) {
    const mid = this.#negotiatedMids()[purpose];
    const negotiated = mid === undefined ? undefined : this.#pc.getTransceivers().find((t) => t.mid === mid && !isStopped(t));
    return negotiated ?? this.#made[purpose];
  }

  get audio() { return this.slot('audio'); }

  get camera() { return this.slot('camera'); }

  get screen() { return this.slot('screen'); }

  /** Which slot a transceiver is (a received track's, say). @returns {Purpose | undefined} */
  purposeOf(transceiver) {
    return PURPOSES.find((purpose) => this.slot(purpose) === transceiver);
  }

  // The newest description of the session: the remote one (an offer being answered names the slots before our answer
  // exists), else our own offer. Read once per description.
  #negotiatedMids() {
    const sdp = this.#pc.remoteDescription?.sdp ?? this.#pc.localDescription?.sdp;
    if (sdp !== this.#mids.sdp) this.#mids = { sdp, mids: slotMids(sdp) };
    return this.#mids.mids;
  }
}
