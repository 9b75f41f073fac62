// Local media: the camera and microphone tracks, mute and camera state, device choice, and the microphone level.

const PREFS_KEY = 'meshmeet.devices';

export class LocalMedia extends EventTarget {
  /** @type {MediaStream} */
  stream = new MediaStream();
  audioMuted = false;
  videoMuted = false;
  /** What could not be opened, in words, or '' when both camera and microphone work. */
  problem = '';
  #meter = null;

  /** Remembered device ids from an earlier visit. */
  static savedPreferences() {
    try { return JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}'); } catch { return {}; }
  }

  /**
   * Opens camera and microphone, falling back to whichever one works: a person without a camera can still talk.
   * @param {{ cameraId?: string, microphoneId?: string }} choice
   */
  async open(choice = {}) {
    this.close();
    const video = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 },
      ...(choice.cameraId ? { deviceId: { exact: choice.cameraId } } : {}) };
    const audio = { echoCancellation: true, noiseSuppression: true,
      ...(choice.microphoneId ? { deviceId: { exact: choice.microphoneId } } : {}) };
    const attempts = [{ audio, video }, { audio, video: false }, { audio: false, video }];
    let lastError = null;
    for (const constraints of attempts) {
      try {
        this.stream = await navigator.mediaDevices.getUserMedia(constraints);
        break;
      } catch (error) {
        lastError = error;
      }
    }
    if (this.stream.getTracks().length === 0 && (choice.cameraId || choice.microphoneId)) {
      return this.open({}); // a remembered device that is gone: fall back to the defaults
    }
    const hasAudio = this.stream.getAudioTracks().length > 0;
    const hasVideo = this.stream.getVideoTracks().length > 0;
    this.problem = describeMissing(hasAudio, hasVideo, lastError);
    this.#applyEnabled();
    localStorage.setItem(PREFS_KEY, JSON.stringify({
      cameraId: this.stream.getVideoTracks()[0]?.getSettings().deviceId ?? choice.cameraId,
      microphoneId: this.stream.getAudioTracks()[0]?.getSettings().deviceId ?? choice.microphoneId,
    }));
    this.dispatchEvent(new Event('tracks-changed'));
    return this.stream;
  }

  /** @returns {Promise<{ cameras: MediaDeviceInfo[], microphones: MediaDeviceInfo[] }>} */
  async devices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    return {
      cameras: all.filter((d) => d.kind === 'videoinput'),
      microphones: all.filter((d) => d.kind === 'audioinput'),
    };
  }

  setAudioMuted(muted) { this.audioMuted = muted; this.#applyEnabled(); }

  setVideoMuted(muted) { this.videoMuted = muted; this.#applyEnabled(); }

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
    for (const track of this.stream.getTracks()) track.stop();
    this.stream = new MediaStream();
  }

  // Muting disables the track rather than removing it: no renegotiation, and unmuting is instant.
  #applyEnabled() {
    for (const t of this.stream.getAudioTracks()) t.enabled = !this.audioMuted;
    for (const t of this.stream.getVideoTracks()) t.enabled = !this.videoMuted;
  }
}

function describeMissing(hasAudio, hasVideo, error) {
  if (hasAudio && hasVideo) return '';
  const why = error?.name === 'NotAllowedError' ? 'permission was denied'
    : error?.name === 'NotFoundError' ? 'none was found' : 'it could not be opened';
  if (!hasAudio && !hasVideo) return `Neither camera nor microphone is available (${why}). You can still join to watch and listen.`;
  return hasAudio ? `No camera: ${why}. You will join with audio only.` : `No microphone: ${why}. You will join with video only.`;
}
