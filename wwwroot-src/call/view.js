// The call page's DOM: states, tiles and the core controls. Knows nothing of SignalR or WebRTC. Tiles are rendered from
// the peer store (store.js) as it changes; call.js and the feature modules feed the rest.

export class CallView {
  /** Handlers set by call.js. */
  onJoin = (_name) => {};
  onDeviceChange = (_choice) => {};
  onMute = (_muted) => {};
  onVideo = (_off) => {};
  onLeave = () => {};
  onScreen = (_share) => {};
  onCopyLink = () => {};
  onCallDevice = (_kind, _deviceId) => {};
  onShortcuts = (_enabled) => {};
  #joined = false;

  /** @param {HTMLElement} root @param {import('./store.js').PeerStore} store */
  constructor(root, store) {
    this.root = root;
    this.store = store;
    this.$ = (selector) => root.querySelector(selector);
    this.stage = this.$('#stage');
    this.template = this.$('#tile-template');
    store.addEventListener('peer', ({ detail }) => this.#render(detail.peer));
    store.addEventListener('removed', ({ detail }) => { this.#tile(detail.id)?.remove(); this.#layout(); });
    store.addEventListener('cleared', () => this.#clearPeers());

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
  }

  /**
   * Calls onClick with the peer's id when a button matching the selector on a peer's tile is clicked (the tiles come
   * and go; the stage stays).
   * @param {string} selector @param {(peerId: string, button: HTMLElement) => void} onClick
   */
  onTileButton(selector, onClick) {
    this.stage.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest(selector) : null;
      const tile = button?.closest('[data-peer-id]');
      if (tile) onClick(tile.dataset.peerId, button);
    });
  }

  /** The page handles Join from now on (the button comes disabled, so that a click before this does not reload). */
  readyToJoin() { this.$('#join-button').disabled = false; }

  /** The tile of a participant (self included), for features that draw on it. */
  tileOf(id) { return id === this.store.selfId ? this.$('[data-self-tile]') : this.#tile(id); }

  setState(state, status) {
    this.root.dataset.callState = state;
    for (const section of this.root.querySelectorAll('[data-view]')) {
      const view = section.dataset.view;
      section.hidden = !(view === state
        || (view === 'prejoin' && (state === 'joining' || state === 'waiting' || (state === 'error' && !this.#joined)))
        || (view === 'in-call' && state === 'reconnecting'));
    }
    // In the lobby the camera preview stays, the form goes: the status says what happens next.
    this.$('#prejoin-form').hidden = state === 'waiting';
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

  /** The remembered name, unless the person has typed one already (before the script ran). */
  setName(name) {
    const box = this.$('#display-name');
    if (!box.value) box.value = name;
  }

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
  }

  /**
   * Mute and Stop video as they are: pressed while muted; a device that is missing cannot be turned on, and says why.
   * @param {{ audioMuted: boolean, videoMuted: boolean, hasAudio: boolean, hasVideo: boolean }} media
   */
  showMediaControls({ audioMuted, videoMuted, hasAudio, hasVideo }) {
    for (const [selector, labels, muted, has, missing] of [
      ['#mute-button', ['Mute', 'Unmute'], audioMuted, hasAudio, 'No microphone'],
      ['#video-button', ['Stop video', 'Start video'], videoMuted, hasVideo, 'No camera'],
    ]) {
      const button = this.$(selector);
      showPressed(button, muted, labels);
      button.disabled = !has;
      button.title = has ? '' : missing;
    }
  }

  setShortcuts(enabled) { this.$('#shortcuts-toggle').checked = enabled; }

  /** Presses a control as a click would (keyboard shortcuts). */
  press(action) {
    const id = { mute: '#mute-button', video: '#video-button', hand: '#hand-button', chat: '#chat-button' }[action];
    this.$(id)?.click();
  }

  enterCall({ selfId, name, stream }) {
    this.#joined = true;
    this.root.dataset.selfId = selfId;
    const self = this.$('[data-self-tile]');
    self.querySelector('video').srcObject = stream;
    self.querySelector('.name').textContent = `${name} (you)`;
    self.querySelector('.avatar').textContent = initials(name);
    this.#layout();
  }

  showPeerStream(id, stream) {
    const tile = this.#tile(id);
    const video = tile?.querySelector('video:not([data-screen])');
    if (video && video.srcObject !== stream) video.srcObject = stream;
    const peer = this.store.get(id);
    if (tile && peer) playOnlyWhatIsOn(tile, peer);
  }

  showPeerScreen(id, stream) {
    const video = this.#tile(id)?.querySelector('video[data-screen]');
    if (video && video.srcObject !== stream) video.srcObject = stream;
  }

  /** Draws a participant's tile as the store has it (a peer's tile is made on its first appearance). */
  #render(peer) {
    const tile = peer.self ? this.$('[data-self-tile]') : this.#tile(peer.id) ?? this.#newTile(peer);
    tile.dataset.audioMuted = String(peer.audioMuted);
    tile.dataset.videoMuted = String(peer.videoMuted);
    tile.dataset.handRaised = String(peer.handRaised);
    tile.dataset.screenSharing = String(peer.screenSharing);
    if (peer.self) {
      // Whether we may moderate decides the others' buttons.
      for (const other of this.store.others()) this.#render(other);
      return;
    }
    if (tile.dataset.speaking !== String(peer.speaking && !peer.audioMuted)) tile.dataset.speaking = String(peer.speaking && !peer.audioMuted);
    playOnlyWhatIsOn(tile, peer);
    tile.querySelector('video[data-screen]').hidden = !peer.screenSharing;
    const host = this.store.self?.isHost ?? false;
    const moderator = host || (this.store.self?.isCohost ?? false);
    // Nobody removes the room's owner; only the owner appoints co-hosts.
    tile.querySelector('.kick').hidden = !moderator || peer.isHost;
    tile.querySelector('.lower-hand').hidden = !(moderator && peer.handRaised);
    tile.querySelector('.cohost-badge').hidden = !peer.isCohost;
    const appoint = tile.querySelector('.make-cohost');
    appoint.hidden = !host;
    appoint.textContent = peer.isCohost ? `Remove ${peer.displayName} as co-host` : `Make ${peer.displayName} co-host`;
    if (tile.dataset.connection !== peer.connection) {
      tile.dataset.connection = peer.connection;
      tile.querySelector('.conn').textContent = { new: 'connecting…', connecting: 'connecting…', connected: '',
        disconnected: 'connection unstable…', failed: 'connection failed, retrying…', closed: '',
        unreachable: `Cannot reach ${peer.displayName}` }[peer.connection] ?? '';
    }
  }

  #newTile({ id, displayName, isHost }) {
    const tile = this.template.content.firstElementChild.cloneNode(true);
    tile.dataset.peerId = id;
    // Host status is a badge outside the name: no display name can produce it.
    tile.querySelector('.name').textContent = displayName;
    tile.querySelector('.host-badge').hidden = !isHost;
    tile.querySelector('.avatar').textContent = initials(displayName);
    tile.querySelector('.conn').textContent = 'connecting…';
    tile.querySelector('.kick').textContent = `Kick ${displayName}`;
    tile.querySelector('.lower-hand').textContent = `Lower ${displayName}'s hand`;
    tile.querySelector('video[data-screen]').setAttribute('aria-label', `${displayName}'s screen`);
    this.stage.append(tile);
    this.#layout();
    return tile;
  }

  #clearPeers() {
    for (const tile of this.stage.querySelectorAll('[data-peer-id]')) tile.remove();
    this.#layout();
  }

  showEnded(state, title, message) {
    this.#clearPeers();
    this.$('#ended-title').textContent = title;
    this.$('#ended-message').textContent = message;
    this.setState(state, title);
    for (const section of this.root.querySelectorAll('[data-view]')) section.hidden = section.dataset.view !== 'ended';
    for (const video of this.root.querySelectorAll('video')) video.srcObject = null;
  }

  #tile(id) {
    return [...this.stage.querySelectorAll('[data-peer-id]')].find((t) => t.dataset.peerId === id);
  }

  #layout() { this.stage.dataset.count = String(this.stage.querySelectorAll('[data-peer-id]').length + 1); }

  /** A two-state button: its name says what pressing it does, aria-pressed says whether it is on. */
  #toggle(selector, labels, onChange) {
    const button = this.$(selector);
    button.addEventListener('click', () => {
      const on = button.getAttribute('aria-pressed') !== 'true';
      showPressed(button, on, labels);
      onChange(on);
    });
  }
}

/**
 * Plays a peer's microphone and camera only while the server says they are on: a host's mute then silences someone on
 * this page whatever their own browser keeps sending (a disabled remote track renders silence and black).
 */
function playOnlyWhatIsOn(tile, peer) {
  const video = tile.querySelector('video:not([data-screen])');
  for (const track of video.srcObject?.getTracks() ?? []) {
    const on = track.kind === 'audio' ? !peer.audioMuted : !peer.videoMuted;
    if (track.enabled !== on) track.enabled = on;
  }
}

function showPressed(button, on, [offLabel, onLabel]) {
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? onLabel : offLabel;
}

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0].toUpperCase()).join('');
}
