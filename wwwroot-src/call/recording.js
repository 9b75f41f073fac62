// Local recording with consent: anyone may record the call on their own machine, but only once the room has been told.
// The server stores who records (everyone sees "NAME is recording this call." for as long as it runs, and people
// joining read it before they join) and audits the start and the stop; the file (WebM: a canvas that composes the
// tiles, and a Web Audio mix of everyone's audio) never leaves this browser. A host may turn recording off for the
// room, which stops every recording under way. A call feature (install wires it).

import { hubErrorMessage } from './signaling.js';
import { recordingGrid, recordingWords } from './rules.js';

/** @param {import('./call.js').FeatureContext} context */
export function install({ signaling, store, view, root }) {
  const button = /** @type {HTMLButtonElement} */ (root.querySelector('#record-button'));
  const banner = root.querySelector('#recording-banner');
  const notice = root.querySelector('#recording-notice');
  const allowed = /** @type {HTMLInputElement | null} */ (root.querySelector('#recording-allowed'));
  const report = (e) => view.showAlert(hubErrorMessage(e));
  /** @type {CallRecorder | null} */
  let recorder = null;

  const showBanner = () => {
    const everyone = [store.self, ...store.others()].filter((p) => p?.recording);
    banner.textContent = recordingWords(everyone.map((p) => (p.self ? 'You' : p.displayName)));
    banner.hidden = everyone.length === 0;
    if (notice) notice.hidden = true; // in the call the banner says it, live
  };
  store.addEventListener('peer', showBanner);
  store.addEventListener('removed', showBanner);
  const showButton = () => {
    button.textContent = recorder ? 'Stop recording' : 'Record';
    button.setAttribute('aria-pressed', String(recorder !== null));
  };
  const showAllowed = (yes) => {
    if (allowed) allowed.checked = yes;
    button.disabled = !yes && !recorder;
    button.title = yes ? '' : 'The host has turned recording off for this room.';
  };

  async function start() {
    // The room hears it first; only then does anything get recorded.
    await signaling.invoke('SetRecording', { recording: true });
    recorder = new CallRecorder(view.stage);
    recorder.start();
    showButton();
  }

  /** Stops and saves the file here; tells the room unless the server stopped it already. */
  async function stop(tellRoom = true) {
    const stopping = recorder;
    recorder = null;
    showButton();
    if (!stopping) return;
    const file = await stopping.stop();
    save(file);
    view.showNotice(`Your recording was saved to your downloads (${Math.round(file.size / 1024)} KB).`);
    if (tellRoom) await signaling.invoke('SetRecording', { recording: false }).catch(() => {}); // a page leaving: its seat ends it
  }

  button.addEventListener('click', () => (recorder ? stop() : start()).catch(report));
  signaling.addEventListener('joined', ({ detail }) => {
    showAllowed(detail.recordingOff !== true);
    // A reload ended what this page was recording: the room must not go on being told it runs.
    if (detail.self?.recording && !recorder) signaling.invoke('SetRecording', { recording: false }).catch(report);
  });
  signaling.on('RecordingChanged', ({ id, recording }) => {
    store.update(id, { recording });
    if (id === store.selfId && !recording && recorder) stop(false).catch(report); // the host turned it off
  });
  signaling.on('RecordingAllowedChanged', ({ allowed: yes }) => {
    showAllowed(yes);
    if (!yes) view.showNotice('The host turned recording off for this room.');
  });
  allowed?.addEventListener('change', () => signaling.invoke('SetRecordingAllowed', { allowed: allowed.checked }).catch((e) => {
    allowed.checked = !allowed.checked;
    report(e);
  }));
  // Leaving, removed or the call closed: what was recorded is saved, not lost.
  root.querySelector('#leave-button')?.addEventListener('click', () => stop().catch(report));
  for (const event of ['kicked', 'room-closed']) signaling.addEventListener(event, () => stop(false).catch(report));
}

/** Offers the file as a download, as a link click would. */
function save(blob) {
  const link = Object.assign(document.createElement('a'), {
    href: URL.createObjectURL(blob),
    download: `meshmeet-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.webm`,
  });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** Composes the stage's tiles on a canvas (15 fps) and everyone's audio in one mix, into a WebM MediaRecorder. */
class CallRecorder {
  /** @param {HTMLElement} stage */
  constructor(stage) {
    this.stage = stage;
    this.canvas = Object.assign(document.createElement('canvas'), { width: 1280, height: 720 });
    this.context = this.canvas.getContext('2d');
    this.audio = new AudioContext();
    this.mix = this.audio.createMediaStreamDestination();
    /** Audio tracks already in the mix (people join and switch microphones while it runs). */
    this.mixed = new Set();
    /** @type {Blob[]} */
    this.chunks = [];
  }

  start() {
    this.draw();
    this.timer = setInterval(() => this.draw(), 1000 / 15);
    const stream = new MediaStream([...this.canvas.captureStream(15).getVideoTracks(), ...this.mix.stream.getAudioTracks()]);
    const type = ['video/webm;codecs=vp8,opus', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t));
    this.recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
    this.recorder.ondataavailable = ({ data }) => { if (data.size > 0) this.chunks.push(data); };
    this.recorder.start(1000);
  }

  /** @returns {Promise<Blob>} */
  stop() {
    clearInterval(this.timer);
    return new Promise((resolve) => {
      this.recorder.onstop = () => {
        this.audio.close();
        resolve(new Blob(this.chunks, { type: 'video/webm' }));
      };
      this.recorder.stop();
    });
  }

  /** One frame: every tile's camera (or its initials while the camera is off) in a grid; new audio joins the mix. */
  draw() {
    const tiles = [...this.stage.querySelectorAll('.tile')];
    const g = this.context;
    g.fillStyle = '#0b0e13';
    g.fillRect(0, 0, this.canvas.width, this.canvas.height);
    recordingGrid(tiles.length, this.canvas.width, this.canvas.height).forEach((cell, i) => {
      const tile = tiles[i];
      const video = tile.querySelector('video:not([data-screen])');
      const screen = tile.querySelector('video[data-screen]');
      const shown = screen && !screen.hidden && screen.videoWidth > 0 ? screen
        : tile.dataset.videoMuted !== 'true' && video?.videoWidth > 0 ? video : null;
      if (shown) fit(g, shown, cell);
      else {
        g.fillStyle = '#f5f7fb';
        g.font = `${Math.round(cell.h / 4)}px sans-serif`;
        g.textAlign = 'center';
        g.fillText(tile.querySelector('.avatar')?.textContent ?? '', cell.x + cell.w / 2, cell.y + cell.h / 2);
      }
      for (const track of video?.srcObject?.getAudioTracks() ?? []) {
        if (this.mixed.has(track)) continue;
        this.mixed.add(track);
        this.audio.createMediaStreamSource(new MediaStream([track])).connect(this.mix);
      }
    });
  }
}

/** Draws a video into a cell, whole and centred. */
function fit(g, video, { x, y, w, h }) {
  const scale = Math.min(w / video.videoWidth, h / video.videoHeight);
  const dw = video.videoWidth * scale;
  const dh = video.videoHeight * scale;
  g.drawImage(video, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh);
}
