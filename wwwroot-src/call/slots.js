// A pair's media slots, in the same m-line order on both sides: audio, camera, and a screen slot that carries nothing
// until its owner shares a screen (replaceTrack, so sharing starts and stops without renegotiating).

export class MediaSlots {
  #pc;

  /** @param {RTCPeerConnection} pc */
  constructor(pc) {
    this.#pc = pc;
  }

  /** The offerer's slots: our tracks (or receive-only slots for what we do not have), then the screen slot. */
  open(stream, screenTrack, report) {
    this.addTracks(stream);
    for (const kind of ['audio', 'video']) {
      if (!this.#pc.getTransceivers().some((t) => t.receiver.track.kind === kind)) this.#pc.addTransceiver(kind, { direction: 'recvonly' });
    }
    this.openScreen(screenTrack, report);
  }

  /** Our tracks, each in the slot of its kind (the answerer's reuse the slots the offer made). */
  addTracks(stream) {
    for (const track of stream.getTracks()) this.#pc.addTrack(track, stream);
  }

  /** The offerer adds the screen slot; the answerer finds it in the offer and makes it able to send too. */
  openScreen(screenTrack, report) {
    const slot = this.screen ?? this.#pc.addTransceiver('video', { direction: 'sendrecv' });
    slot.direction = 'sendrecv';
    if (screenTrack) slot.sender.replaceTrack(screenTrack).catch((e) => report('sharing the screen', e));
  }

  /** The video transceivers in m-line order: the camera's, then the screen slot (the same order on both sides). */
  #videos() {
    return this.#pc.getTransceivers().filter((t) => t.receiver.track.kind === 'video' && !t.stopped);
  }

  get audio() { return this.#pc.getTransceivers().find((t) => t.receiver.track.kind === 'audio'); }

  get camera() { return this.#videos()[0]; }

  get screen() { return this.#videos()[1]; }

  /** Which slot a received track arrived in. @returns {'audio' | 'camera' | 'screen' | undefined} */
  purposeOf(transceiver) {
    return transceiver === this.screen ? 'screen' : transceiver === this.camera ? 'camera' : transceiver === this.audio ? 'audio' : undefined;
  }
}
