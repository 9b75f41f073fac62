// Local media: the camera and microphone tracks, mute and camera state, device choice, and the microphone level.

const PREFS_KEY = 'meshmeet.devices';

export class LocalMedia extends EventTarget {
  /** @type {MediaStream} */
  stream = new MediaStream();
  /** What the person chose with Mute and Stop video. */
  #audioOff = false;
  #videoOff = false;
  /** What could not be opened, in words, or '' when both camera and microphone work. */
  problem = '';
  /** @type {MediaStreamTrack | null} the shared screen, while sharing */
  screenTrack = null;
  #meter = null;
  /** What is done to a kind before it is sent (effects.js): kind → async (deviceTrack) => { track, stop() }. */
  #effects = new Map();
  /** kind → the effect running on it: the device's track it reads, the track it makes, and how to stop it. */
  #processed = new Map();
  /** Opening devices and switching effects one at a time: both rebuild the stream. */
  #busy = Promise.resolve();

  /** Muted, as the others see it: by choice, or because there is no microphone to send. */
  get audioMuted() { return this.#audioOff || !this.has('audio'); }

  get videoMuted() { return this.#videoOff || !this.has('video'); }

  /** @param {'audio' | 'video'} kind */
  has(kind) { return this.stream.getTracks().some((t) => t.kind === kind); }

  /** The camera's or microphone's own track: what an effect reads, and what is sent when no effect runs. */
  deviceTrack(kind) { return this.#processed.get(kind)?.device ?? this.stream.getTracks().find((t) => t.kind === kind) ?? null; }

  /** The size of the video sent: an effect's own (it may send less than the camera gives), else the camera's. */
  videoSize() {
    const { width, height } = this.#processed.get('video')?.size?.() ?? this.stream.getVideoTracks()[0]?.getSettings() ?? {};
    return { width, height };
  }

  /** The devices' own tracks (their ids and labels; an effect's track has neither). */
  get deviceStream() { return new MediaStream(['audio', 'video'].map((k) => this.deviceTrack(k)).filter(Boolean)); }

  /**
   * Turns an effect on (a function that makes the processed track from the device's) or off (null) for a kind.
   * Returns the track now sent for it, for the peer connections' replaceTrack, or null when there is no such device.
   * @param {'audio' | 'video'} kind
   */
  setEffect(kind, effect) {
    return this.#serial(async () => {
      if (effect) this.#effects.set(kind, effect); else this.#effects.delete(kind);
      const device = this.deviceTrack(kind);
      return device ? this.#send(device) : null;
    });
  }

  /** Remembered device ids from an earlier visit. */
  static savedPreferences() {
    try { return JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}'); } catch { return {}; }
  }

  /**
   * Opens camera and microphone, falling back to whichever one works: a person without a camera can still talk.
   * @param {{ cameraId?: string, microphoneId?: string }} choice
   */
  open(choice = {}) { return this.#serial(() => this.#open(choice)); }

  async #open(choice) {
    this.close();
    const video = constraintsFor('video', choice.cameraId);
    const audio = constraintsFor('audio', choice.microphoneId);
    const attempts = [{ audio, video }, { audio, video: false }, { audio: false, video }];
    let lastError = null;
    let devices = new MediaStream();
    for (const constraints of attempts) {
      try {
        devices = await navigator.mediaDevices.getUserMedia(constraints);
        break;
      } catch (error) {
        lastError = error;
      }
    }
    if (devices.getTracks().length === 0 && (choice.cameraId || choice.microphoneId)) {
      return this.#open({}); // a remembered device that is gone: fall back to the defaults
    }
    for (const track of devices.getTracks()) {
      this.#watch(track);
      await this.#send(track);
    }
    this.problem = describeMissing(this.has('audio'), this.has('video'), lastError);
    this.#savePreferences();
    this.dispatchEvent(new Event('tracks-changed'));
    return this.stream;
  }

  /**
   * In the call: opens another camera or microphone (the default one when deviceId is empty) and puts it in the
   * stream in place of the current one. Returns the new track, for the peer connections' replaceTrack.
   * @param {'audio' | 'video'} kind
   */
  switchDevice(kind, deviceId) {
    return this.#serial(async () => {
      const fresh = await navigator.mediaDevices.getUserMedia({ [kind]: constraintsFor(kind, deviceId) });
      const track = fresh.getTracks()[0];
      const old = this.deviceTrack(kind);
      this.#watch(track);
      const sent = await this.#send(track);
      old?.stop();
      this.#savePreferences();
      return sent;
    });
  }

  /**
   * Tries again for the camera or microphone that is missing (a device plugged in, a permission granted late): what
   * opens joins the stream, and is sent as the person chose (unmuted unless they muted it).
   * @returns {Promise<MediaStreamTrack[]>} the tracks that came
   */
  openMissing() { return this.#serial(() => this.#openMissing()); }

  async #openMissing() {
    const added = [];
    let lastError = null;
    for (const kind of /** @type {const} */ (['audio', 'video'])) {
      if (this.has(kind)) continue;
      try {
        const track = (await navigator.mediaDevices.getUserMedia({ [kind]: constraintsFor(kind) })).getTracks()[0];
        if (this.has(kind)) { track.stop(); continue; } // another attempt got there first
        this.#watch(track);
        added.push(await this.#send(track));
      } catch (error) {
        lastError = error;
      }
    }
    if (added.length === 0) return added;
    this.problem = describeMissing(this.has('audio'), this.has('video'), lastError);
    this.#applyEnabled();
    this.#savePreferences();
    return added;
  }

  /** Calls onChange when a missing device may have come: one plugged in, or camera or microphone permission granted. */
  watchDevices(onChange) {
    navigator.mediaDevices.addEventListener('devicechange', () => onChange());
    for (const name of ['camera', 'microphone']) {
      // Not every browser can be asked about these permissions; the device change still works there.
      navigator.permissions?.query({ name }).then((status) => status.addEventListener('change', () => onChange()), () => {});
    }
  }

  /** Asks the person which screen or window to share; the track ends when they stop it from the browser's bar too. */
  async startScreen() {
    const capture = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    const track = capture.getVideoTracks()[0];
    track.contentHint = 'detail'; // text stays sharp: the encoder keeps resolution and drops frames instead
    track.addEventListener('ended', () => {
      if (this.screenTrack !== track) return;
      this.screenTrack = null;
      this.dispatchEvent(new Event('screen-ended'));
    });
    this.screenTrack = track;
    return track;
  }

  stopScreen() {
    this.screenTrack?.stop();
    this.screenTrack = null;
  }

  /** @returns {Promise<{ cameras: MediaDeviceInfo[], microphones: MediaDeviceInfo[] }>} */
  async devices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    return {
      cameras: all.filter((d) => d.kind === 'videoinput'),
      microphones: all.filter((d) => d.kind === 'audioinput'),
    };
  }

  setAudioMuted(muted) { this.#audioOff = muted; this.#applyEnabled(); }

  setVideoMuted(muted) { this.#videoOff = muted; this.#applyEnabled(); }

  /** Calls onLevel(0..1) about 15 times a second with the microphone's loudness, until close(). */
  meterLevel(onLevel) {
    const track = this.stream.getAudioTracks()[0];
    if (!track) return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      onLevel(Math.min(1, Math.sqrt(sum / samples.length) * 4));
    }, 66);
    this.#meter = { context, timer };
  }

  stopMeter() {
    if (!this.#meter) return;
    clearInterval(this.#meter.timer);
    this.#meter.context.close();
    this.#meter = null;
  }

  close() {
    this.stopMeter();
    this.stopScreen();
    for (const { stop } of this.#processed.values()) stop();
    for (const track of this.deviceStream.getTracks()) track.stop();
    this.#processed.clear();
    this.stream = new MediaStream();
  }

  /** Puts a device's track in the stream in place of its kind's old one, through the kind's effect when one is on.
   * An effect that cannot start is dropped, and the device's own track is sent instead. */
  async #send(device) {
    const kind = device.kind;
    const before = this.#processed.get(kind);
    this.#processed.delete(kind);
    let sent = device;
    const effect = this.#effects.get(kind);
    if (effect) {
      try {
        const processed = await effect(device);
        this.#processed.set(kind, { device, ...processed });
        sent = processed.track;
      } catch (error) {
        this.#effects.delete(kind); // the effect told the person why; the device's own track goes out
        console.warn(`MeshMeet: the ${kind} effect could not start`, error);
      }
    }
    for (const old of this.stream.getTracks().filter((t) => t.kind === kind && t !== sent)) this.stream.removeTrack(old);
    if (!this.stream.getTracks().includes(sent)) this.stream.addTrack(sent);
    before?.stop();
    this.#applyEnabled();
    return sent;
  }

  #serial(work) {
    const run = this.#busy.then(work, work);
    this.#busy = run.catch(() => {});
    return run;
  }

  // A device that goes away (unplugged, or taken by the system) ends its track: say which kind, so the call can fall
  // back to another. Tracks we stop ourselves do not fire "ended".
  #watch(track) {
    track.addEventListener('ended', () => {
      if (this.deviceTrack(track.kind) === track) this.dispatchEvent(new CustomEvent('device-lost', { detail: { kind: track.kind, label: track.label } }));
    });
  }

  #savePreferences() {
    const saved = LocalMedia.savedPreferences();
    localStorage.setItem(PREFS_KEY, JSON.stringify({
      cameraId: this.deviceTrack('video')?.getSettings().deviceId ?? saved.cameraId,
      microphoneId: this.deviceTrack('audio')?.getSettings().deviceId ?? saved.microphoneId,
    }));
  }

  // Muting disables the track rather than removing it: no renegotiation, and unmuting is instant.
  #applyEnabled() {
    for (const t of [...this.stream.getTracks(), ...this.deviceStream.getTracks()]) t.enabled = t.kind === 'audio' ? !this.#audioOff : !this.#videoOff;
  }
}

function constraintsFor(kind, deviceId) {
  const exact = deviceId ? { deviceId: { exact: deviceId } } : {};
  return kind === 'video'
    ? { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 }, ...exact }
    : { echoCancellation: true, noiseSuppression: true, ...exact };
}

function describeMissing(hasAudio, hasVideo, error) {
  if (hasAudio && hasVideo) return '';
  const why = error?.name === 'NotAllowedError' ? 'permission was denied'
    : error?.name === 'NotFoundError' ? 'none was found' : 'it could not be opened';
  if (!hasAudio && !hasVideo) return `Neither camera nor microphone is available (${why}). You can still join to watch and listen.`;
  return hasAudio ? `No camera: ${why}. You will join with audio only.` : `No microphone: ${why}. You will join with video only.`;
}
