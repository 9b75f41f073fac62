// The lobby as the host sees it ("Ask to join"): who knocks, for how long, with Admit and Deny each and Admit all; a
// short sound when someone new knocks, and their count in the tab's title while it is in the background. The switch
// turns the room's lobby on or off from the call. The server sends the list only to the owner and co-hosts, and checks
// that whoever admits may. (The guest's side is the page's phase: call.js.) A call feature (install wires it).

import { hubErrorMessage } from './signaling.js';
import { waitedFor } from './rules.js';

/** @param {import('./call.js').FeatureContext} context */
export function install({ signaling, view, root }) {
  const panel = root.querySelector('#lobby-panel');
  const list = root.querySelector('#lobby-list');
  const toggle = /** @type {HTMLInputElement | null} */ (root.querySelector('#lobby-toggle'));
  const report = (e) => view.showAlert(hubErrorMessage(e));
  const title = document.title;
  /** @type {{ id: string, displayName: string, since: string }[]} */
  let waiting = [];
  const heard = new Set();

  const render = () => {
    panel.hidden = waiting.length === 0;
    panel.dataset.lobbyCount = String(waiting.length);
    root.querySelector('#lobby-count').textContent = String(waiting.length);
    list.replaceChildren(...waiting.map((guest) => {
      const item = /** @type {HTMLElement} */ (root.querySelector('#lobby-guest-template').content.firstElementChild.cloneNode(true));
      item.dataset.knockId = guest.id;
      item.querySelector('.name').textContent = guest.displayName;
      item.querySelector('.since').textContent = waitedFor(Date.parse(guest.since), Date.now());
      item.querySelector('.admit').textContent = `Admit ${guest.displayName}`;
      item.querySelector('.deny').textContent = `Deny ${guest.displayName}`;
      return item;
    }));
    showInTitle();
  };
  const showInTitle = () => {
    document.title = document.visibilityState === 'hidden' && waiting.length > 0 ? `(${waiting.length}) ${title}` : title;
  };
  document.addEventListener('visibilitychange', showInTitle);
  setInterval(() => { if (waiting.length > 0) render(); }, 30_000); // "waiting 2 min" moves on

  signaling.on('LobbyChanged', (message) => {
    const someoneNew = message.waiting.some((guest) => !heard.has(guest.id));
    for (const guest of message.waiting) heard.add(guest.id);
    waiting = message.waiting;
    render();
    if (someoneNew) knock();
  });
  list.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button') : null;
    const id = button?.closest('[data-knock-id]')?.dataset.knockId;
    if (!id) return;
    if (button.classList.contains('admit')) signaling.invoke('AdmitGuest', { id }).catch(report);
    if (button.classList.contains('deny')) signaling.invoke('DenyGuest', { id }).catch(report);
  });
  root.querySelector('#admit-all-button').addEventListener('click', () => signaling.invoke('AdmitAll', {}).catch(report));

  const showEnabled = (enabled) => { if (toggle) toggle.checked = enabled; };
  signaling.addEventListener('joined', ({ detail }) => showEnabled(detail.lobby === true));
  signaling.on('LobbyEnabledChanged', ({ enabled }) => showEnabled(enabled));
  toggle?.addEventListener('change', () => signaling.invoke('SetLobby', { enabled: toggle.checked }).catch((e) => {
    toggle.checked = !toggle.checked;
    report(e);
  }));
}

/** A short two-note chime, made here (no sound file to fetch): someone knocks. */
function knock() {
  try {
    const audio = new AudioContext();
    for (const [frequency, start] of [[660, 0], [880, 0.15]]) {
      const tone = new OscillatorNode(audio, { frequency });
      const gain = new GainNode(audio, { gain: 0.15 });
      gain.gain.setTargetAtTime(0, audio.currentTime + start + 0.08, 0.03);
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + start);
      tone.stop(audio.currentTime + start + 0.3);
    }
    setTimeout(() => audio.close(), 1000);
  } catch {
    // No sound where audio is not allowed: the list and the title still say it.
  }
}
