// Effects on what this page sends: background blur (blur.js) and noise suppression (denoise.js), each a toggle on the
// pre-join screen and in the call, remembered per browser. Noise suppression is on unless the person turned it off;
// blur is off unless they turned it on. The processed track replaces the device's on every pair, so the self view
// shows what the others get. An effect that cannot start, or blur that cannot keep up, is turned off and the person
// is told: the call goes on with the device's own track. A call feature.

import { blurBackground, canBlur } from './blur.js';
import { suppressNoise } from './denoise.js';

const PREFS_KEY = 'meshmeet.effects';

/** @param {import('./call.js').FeatureContext} context */
export function install({ view, root, selfMedia }) {
  const prefs = { blur: false, denoise: true, ...saved() };
  const toggles = (name) => /** @type {HTMLInputElement[]} */ ([...root.querySelectorAll(`input[data-effect="${name}"]`)]);
  const show = (name, on) => {
    for (const box of toggles(name)) box.checked = on;
    root.dataset[name] = on ? 'on' : 'off';
  };

  /** The failure of an effect, in words, with the toggle turned back off (for this call; the choice stays). */
  const failed = (name, words) => (error) => {
    show(name, false);
    view.showAlert(`${words}${error?.message ? ` (${error.message})` : ''}.`);
    throw error;
  };
  const EFFECTS = {
    blur: {
      kind: 'video',
      make: (camera) => blurBackground(camera, {
        onGiveUp: () => {
          set('blur', false, { remember: false });
          view.showAlert('Background blur turned itself off: this computer could not keep up with it. Your camera is sent as it is.');
        },
      }).catch(failed('blur', 'Background blur could not start, so your camera is sent as it is')),
    },
    denoise: {
      kind: 'audio',
      make: (microphone) => suppressNoise(microphone).catch(failed('denoise', 'Noise suppression could not start')),
    },
  };

  /** Turns an effect on or off, now and (unless told not to) for the next calls in this browser. */
  function set(name, on, { remember = true } = {}) {
    show(name, on);
    if (remember) {
      prefs[name] = on;
      localStorage.setItem(PREFS_KEY, JSON.stringify(prefs));
    }
    const { kind, make } = EFFECTS[name];
    return selfMedia.process(kind, on ? make : null).catch((e) => console.warn(`MeshMeet: ${name}`, e));
  }

  if (!canBlur()) {
    prefs.blur = false;
    for (const box of toggles('blur')) {
      box.disabled = true;
      box.parentElement.title = 'This browser cannot blur the background; Chrome, Edge and other Chromium browsers can.';
    }
  }
  for (const name of Object.keys(EFFECTS)) {
    for (const box of toggles(name)) box.addEventListener('change', () => set(name, box.checked));
    set(name, prefs[name], { remember: false });
  }
}

function saved() {
  try { return JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}'); } catch { return {}; }
}
