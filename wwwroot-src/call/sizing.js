// Receiver-driven video: what this page shows of each peer's camera and screen, told to that peer over the pair's
// control channel (mesh.js), so that it encodes no more than is seen. The sender's side is uplinkPlan in rules.js.
// A report says whether the camera is seen at all (tile on screen, tab visible, camera on) and how big it is in device
// pixels, and whether the shared screen is seen. Reports are coalesced: one per peer at most every REPORT_EVERY_MS, and
// only when something changed (or the pair's channel opened again).

export const REPORT_EVERY_MS = 250;

export class ViewReports {
  #stage;
  #send;
  /** The last report sent to each peer, as JSON. @type {Map<string, string>} */
  #sent = new Map();
  #pending = new Map();
  /** Which watched video elements are on screen. @type {WeakMap<Element, boolean>} */
  #onScreen = new WeakMap();
  #watched = new WeakSet();
  #resize = new ResizeObserver((entries) => this.#changed(entries.map((e) => e.target)));
  #intersect = new IntersectionObserver((entries) => {
    for (const entry of entries) this.#onScreen.set(entry.target, entry.isIntersecting);
    this.#changed(entries.map((e) => e.target));
  });

  /**
   * @param {HTMLElement} stage the element the peers' tiles are in
   * @param {(peerId: string, report: object) => void} send
   */
  constructor(stage, send) {
    this.#stage = stage;
    this.#send = send;
    // New tiles, a camera turned off or on, a screen shown or hidden.
    new MutationObserver(() => this.#watchAll()).observe(stage, { childList: true, subtree: true, attributes: true,
      attributeFilter: ['hidden', 'data-video-muted'] });
    document.addEventListener('visibilitychange', () => { for (const tile of this.#tiles()) this.#schedule(tile.dataset.peerId); });
    this.#watchAll();
  }

  /** The pair's channel (re)opened: the peer hears what we show of it, even if nothing changed here. */
  resend(peerId) {
    this.#sent.delete(peerId);
    this.#schedule(peerId);
  }

  #tiles() { return this.#stage.querySelectorAll('[data-peer-id]:not([data-self-tile])'); }

  #watchAll() {
    for (const tile of this.#tiles()) {
      for (const video of tile.querySelectorAll('video')) {
        if (this.#watched.has(video)) continue;
        this.#watched.add(video);
        this.#resize.observe(video);
        this.#intersect.observe(video);
      }
      this.#schedule(tile.dataset.peerId);
    }
  }

  #changed(videos) {
    for (const video of videos) {
      const id = video.closest('[data-peer-id]')?.dataset.peerId;
      if (id) this.#schedule(id);
    }
  }

  #schedule(peerId) {
    if (!peerId || this.#pending.has(peerId)) return;
    this.#pending.set(peerId, setTimeout(() => {
      this.#pending.delete(peerId);
      const report = this.#report(peerId);
      const json = report && JSON.stringify(report);
      if (!json || this.#sent.get(peerId) === json) return;
      this.#sent.set(peerId, json);
      this.#send(peerId, report);
    }, REPORT_EVERY_MS));
  }

  #report(peerId) {
    const tile = [...this.#tiles()].find((t) => t.dataset.peerId === peerId);
    if (!tile) return null;
    const pageShown = document.visibilityState === 'visible';
    const seen = (video) => pageShown && video && !video.hidden && this.#onScreen.get(video) !== false;
    const camera = tile.querySelector('video:not([data-screen])');
    const screen = tile.querySelector('video[data-screen]');
    const box = camera?.getBoundingClientRect() ?? { width: 0, height: 0 };
    const dpr = window.devicePixelRatio || 1;
    const visible = seen(camera) && tile.dataset.videoMuted !== 'true' && box.width > 0 && box.height > 0;
    return {
      type: 'view',
      visible,
      width: visible ? Math.round(box.width * dpr) : 0,
      height: visible ? Math.round(box.height * dpr) : 0,
      screenShown: Boolean(seen(screen)),
    };
  }
}
