// The call page's DOM: states, tiles and controls. Knows nothing of SignalR or WebRTC; call.js feeds it.

export class CallView {
  /** Handlers set by call.js. */
  onJoin = (_name) => {};
  onDeviceChange = (_choice) => {};
  onMute = (_muted) => {};
  onVideo = (_off) => {};
  onLeave = () => {};
  onKick = (_peerId, _lockRoom) => {};
  onEnd = () => {};
  onLock = (_locked) => {};
  onHand = (_raised, _participantId) => {};
  onScreen = (_share) => {};
  onCopyLink = () => {};
  onCallDevice = (_kind, _deviceId) => {};
  onShortcuts = (_enabled) => {};

  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    this.$ = (selector) => root.querySelector(selector);
    this.stage = this.$('#stage');
    this.template = this.$('#tile-template');
    this.locked = false;

    this.$('#prejoin-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.onJoin(this.$('#display-name').value);
    });
    for (const id of ['#camera-select', '#microphone-select']) {
      this.$(id).addEventListener('change', () => this.onDeviceChange({
        cameraId: this.$('#camera-select').value || undefined,
        microphoneId: this.$('#microphone-select').value || undefined,
      }));
    }
    this.#toggle('#mute-button', ['Mute', 'Unmute'], (on) => this.onMute(on));
    this.#toggle('#video-button', ['Stop video', 'Start video'], (on) => this.onVideo(on));
    this.$('#screen-button').addEventListener('click', () => this.onScreen(this.$('#screen-button').getAttribute('aria-pressed') !== 'true'));
    for (const button of root.querySelectorAll('[data-copy-link]')) button.addEventListener('click', () => this.onCopyLink());
    this.$('#call-camera').addEventListener('change', (event) => this.onCallDevice('video', event.target.value));
    this.$('#call-microphone').addEventListener('change', (event) => this.onCallDevice('audio', event.target.value));
    this.$('#shortcuts-toggle').addEventListener('change', (event) => this.onShortcuts(event.target.checked));
    this.$('#leave-button').addEventListener('click', () => this.onLeave());
    this.$('#end-button')?.addEventListener('click', () => {
      if (confirm('End the call for everyone?')) this.onEnd();
    });
    this.$('#lock-button')?.addEventListener('click', () => this.onLock(!this.locked));
    this.$('#hand-button').addEventListener('click', () => {
      this.onHand(this.$('[data-self-tile]').dataset.handRaised !== 'true');
    });
    this.stage.addEventListener('click', (event) => {
      const lower = event.target instanceof Element ? event.target.closest('button.lower-hand') : null;
      if (lower) this.onHand(false, lower.closest('[data-peer-id]').dataset.peerId);
      const button = event.target instanceof Element ? event.target.closest('button.kick') : null;
      if (!button) return;
      const tile = button.closest('[data-peer-id]');
      const name = tile.querySelector('.name').textContent;
      if (confirm(`Remove ${name} from the call? They will not be able to rejoin this room.`)) {
        this.onKick(tile.dataset.peerId, this.$('#lock-on-kick')?.checked ?? false);
      }
    });
  }

  get peerCount() { return this.stage.querySelectorAll('[data-peer-id]').length; }

  setState(state, status) {
    this.root.dataset.callState = state;
    for (const section of this.root.querySelectorAll('[data-view]')) {
      const view = section.dataset.view;
      section.hidden = !(view === state
        || (view === 'prejoin' && (state === 'joining' || (state === 'error' && !this.root.dataset.selfId)))
        || (view === 'in-call' && state === 'reconnecting'));
    }
    if (status !== undefined) this.setStatus(status);
    if (state === 'in-call') this.showAlert('');
  }

  setStatus(text) { this.$('#call-status').textContent = text; }

  showAlert(text) { this.$('#call-alert').textContent = text; }

  /** A passing notice (not an error), read out politely by screen readers. */
  showNotice(text) {
    const notice = this.$('#call-notice');
    notice.textContent = text;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => { notice.textContent = ''; }, 6000);
  }

  setName(name) { this.$('#display-name').value = name; }

  showNameError(text) { this.$('#name-error').textContent = text; }

  showPreview(stream, problem) {
    this.$('#preview').srcObject = stream;
    this.$('#device-note').textContent = problem;
  }

  showMicLevel(level) { this.$('#mic-level').style.width = `${Math.round(level * 100)}%`; }

  fillDevices({ cameras, microphones }, stream) {
    const fill = (select, devices, track, noun) => {
      select.replaceChildren(...devices.map((d, i) => new Option(d.label || `${noun} ${i + 1}`, d.deviceId)));
      if (devices.length === 0) select.replaceChildren(new Option(`No ${noun.toLowerCase()} found`, ''));
      const current = track?.getSettings().deviceId;
      if (current) select.value = current;
      select.disabled = devices.length === 0;
    };
    fill(this.$('#camera-select'), cameras, stream.getVideoTracks()[0], 'Camera');
    fill(this.$('#microphone-select'), microphones, stream.getAudioTracks()[0], 'Microphone');
    fill(this.$('#call-camera'), cameras, stream.getVideoTracks()[0], 'Camera');
    fill(this.$('#call-microphone'), microphones, stream.getAudioTracks()[0], 'Microphone');
  }

  /** The self view follows the stream's current tracks (after a device switch). */
  showSelf(stream) {
    const video = this.$('[data-self-tile] video');
    video.srcObject = null;
    video.srcObject = stream;
  }

  setSharing(sharing) {
    const button = this.$('#screen-button');
    button.textContent = sharing ? 'Stop sharing' : 'Share screen';
    button.setAttribute('aria-pressed', String(sharing));
    this.$('[data-self-tile]').dataset.screenSharing = String(sharing);
  }

  setShortcuts(enabled) { this.$('#shortcuts-toggle').checked = enabled; }

  /** Presses a control as a click would (keyboard shortcuts). */
  press(action) {
    const id = { mute: '#mute-button', video: '#video-button', hand: '#hand-button', chat: '#chat-button' }[action];
    this.$(id)?.click();
  }

  enterCall({ selfId, name, stream, isHost, locked }) {
    this.root.dataset.selfId = selfId;
    this.isHost = isHost;
    const self = this.$('[data-self-tile]');
    self.querySelector('video').srcObject = stream;
    self.querySelector('.name').textContent = `${name} (you)`;
    self.querySelector('.avatar').textContent = initials(name);
    this.setLocked(locked);
    this.#layout();
  }

  setSelfMedia(audioMuted, videoMuted) {
    const self = this.$('[data-self-tile]');
    self.dataset.audioMuted = String(audioMuted);
    self.dataset.videoMuted = String(videoMuted);
  }

  addPeer({ id, displayName, isHost, audioMuted, videoMuted, handRaised, screenSharing }) {
    this.removePeer(id);
    const tile = this.template.content.firstElementChild.cloneNode(true);
    tile.dataset.peerId = id;
    // Host status is a badge outside the name: no display name can produce it.
    tile.querySelector('.name').textContent = displayName;
    tile.querySelector('.host-badge').hidden = !isHost;
    tile.querySelector('.avatar').textContent = initials(displayName);
    tile.querySelector('.conn').textContent = 'connecting…';
    const kick = tile.querySelector('.kick');
    kick.textContent = `Kick ${displayName}`;
    kick.hidden = !this.isHost;
    tile.querySelector('.lower-hand').textContent = `Lower ${displayName}'s hand`;
    this.stage.append(tile);
    tile.querySelector('video[data-screen]').setAttribute('aria-label', `${displayName}'s screen`);
    this.setPeerMedia(id, audioMuted, videoMuted, screenSharing ?? false);
    this.setHand(id, handRaised ?? false);
    this.#layout();
  }

  removePeer(id) {
    this.#tile(id)?.remove();
    this.#layout();
  }

  clearPeers() {
    for (const tile of this.stage.querySelectorAll('[data-peer-id]')) tile.remove();
    this.#layout();
  }

  showPeerStream(id, stream) {
    const video = this.#tile(id)?.querySelector('video:not([data-screen])');
    if (video && video.srcObject !== stream) video.srcObject = stream;
  }

  showPeerScreen(id, stream) {
    const video = this.#tile(id)?.querySelector('video[data-screen]');
    if (video && video.srcObject !== stream) video.srcObject = stream;
  }

  showPeerConnection(id, state) {
    const tile = this.#tile(id);
    if (!tile) return;
    const name = tile.querySelector('.name').textContent;
    const label = { new: 'connecting…', connecting: 'connecting…', connected: '', disconnected: 'connection unstable…',
      failed: 'connection failed, retrying…', closed: '', unreachable: `Cannot reach ${name}` }[state] ?? '';
    tile.querySelector('.conn').textContent = label;
    tile.dataset.connection = state;
  }

  setPeerMedia(id, audioMuted, videoMuted, screenSharing) {
    const tile = this.#tile(id);
    if (!tile) return;
    tile.dataset.audioMuted = String(audioMuted);
    tile.dataset.videoMuted = String(videoMuted);
    tile.dataset.screenSharing = String(screenSharing);
    tile.querySelector('video[data-screen]').hidden = !screenSharing;
    if (audioMuted) tile.dataset.speaking = 'false';
  }

  isPeerAudioMuted(id) { return this.#tile(id)?.dataset.audioMuted === 'true'; }

  isPeerFullyMuted(id) {
    const tile = this.#tile(id);
    return tile?.dataset.audioMuted === 'true' && tile?.dataset.videoMuted === 'true';
  }

  setSpeaking(id, speaking) {
    const tile = this.#tile(id);
    if (tile && tile.dataset.speaking !== String(speaking)) tile.dataset.speaking = String(speaking);
  }

  /** A raised hand shows on the tile (self or peer); the host gets a button to lower a peer's. */
  setHand(id, raised) {
    const self = this.root.dataset.selfId === id;
    const tile = self ? this.$('[data-self-tile]') : this.#tile(id);
    if (!tile) return;
    tile.dataset.handRaised = String(raised);
    if (self) {
      const button = this.$('#hand-button');
      button.textContent = raised ? 'Lower hand' : 'Raise hand';
      button.setAttribute('aria-pressed', String(raised));
    } else {
      tile.querySelector('.lower-hand').hidden = !(this.isHost && raised);
    }
  }

  setLocked(locked) {
    this.locked = locked;
    const button = this.$('#lock-button');
    if (!button) return;
    button.textContent = locked ? 'Unlock room' : 'Lock room';
    button.setAttribute('aria-pressed', String(locked));
  }

  showEnded(state, title, message) {
    this.clearPeers();
    this.$('#ended-title').textContent = title;
    this.$('#ended-message').textContent = message;
    this.setState(state, title);
    for (const section of this.root.querySelectorAll('[data-view]')) section.hidden = section.dataset.view !== 'ended';
    for (const video of this.root.querySelectorAll('video')) video.srcObject = null;
  }

  #tile(id) {
    return [...this.stage.querySelectorAll('[data-peer-id]')].find((t) => t.dataset.peerId === id);
  }

  #layout() { this.stage.dataset.count = String(this.peerCount + 1); }

  /** A two-state button: its name says what pressing it does, aria-pressed says whether it is on. */
  #toggle(selector, [offLabel, onLabel], onChange) {
    const button = this.$(selector);
    button.addEventListener('click', () => {
      const on = button.getAttribute('aria-pressed') !== 'true';
      button.setAttribute('aria-pressed', String(on));
      button.textContent = on ? onLabel : offLabel;
      onChange(on);
    });
  }
}

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0].toUpperCase()).join('');
}
