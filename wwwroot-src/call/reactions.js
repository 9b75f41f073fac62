// Reactions: a picker of the fixed set (the server refuses anything else), and each reaction shown for a moment over
// the sender's tile on every page, the sender's own self view included, and said politely to screen readers.
// A call feature: install() wires its button, its picker and its hub method and event.

import { hubErrorMessage } from './signaling.js';

/** How long a reaction stays over a tile. */
export const SHOW_MS = 3000;

/**
 * The picker's keyboard: arrows move between the emoji (wrapping), Home and End jump, Escape closes.
 * @param {string} key @param {number} index the focused emoji @param {number} count
 * @returns {number | 'close' | null} the emoji to focus, 'close', or null for keys the picker leaves alone
 */
export function pickerKey(key, index, count) {
  switch (key) {
    case 'ArrowRight': case 'ArrowDown': return (index + 1) % count;
    case 'ArrowLeft': case 'ArrowUp': return (index - 1 + count) % count;
    case 'Home': return 0;
    case 'End': return count - 1;
    case 'Escape': return 'close';
    default: return null;
  }
}

/** What a screen reader hears. */
export const announcement = (who, name) => `${who} reacted with ${name}`;

/** @param {import('./call.js').FeatureContext} context */
export function install({ signaling, store, view, root }) {
  const button = root.querySelector('#reactions-button');
  const picker = root.querySelector('#reaction-picker');
  const announcer = root.querySelector('#reaction-announcer');
  const choices = [...picker.querySelectorAll('[data-send-reaction]')];
  const names = new Map(choices.map((c) => [c.dataset.sendReaction, c.dataset.reactionName]));

  const open = (show) => {
    picker.hidden = !show;
    button.setAttribute('aria-expanded', String(show));
    if (show) choices[0]?.focus();
  };
  button.addEventListener('click', () => open(picker.hidden));
  picker.addEventListener('click', (event) => {
    const choice = event.target instanceof Element ? event.target.closest('[data-send-reaction]') : null;
    if (!choice) return;
    open(false);
    button.focus();
    signaling.invoke('SendReaction', { emoji: choice.dataset.sendReaction }).catch((e) => view.showAlert(hubErrorMessage(e)));
  });
  picker.addEventListener('keydown', (event) => {
    const next = pickerKey(event.key, choices.indexOf(document.activeElement), choices.length);
    if (next === null) return;
    event.preventDefault();
    if (next === 'close') {
      open(false);
      button.focus();
    } else choices[next].focus();
  });

  signaling.on('Reaction', ({ id, emoji }) => {
    const tile = view.tileOf(id);
    if (!tile) return;
    const shown = document.createElement('span');
    shown.className = 'reaction';
    shown.dataset.reaction = emoji;
    shown.setAttribute('aria-hidden', 'true'); // the announcer says it in words
    shown.textContent = emoji;
    tile.append(shown);
    setTimeout(() => shown.remove(), SHOW_MS);
    const peer = store.get(id);
    announcer.textContent = announcement(peer?.self ? 'You' : peer?.displayName ?? 'Someone', names.get(emoji) ?? emoji);
  });
}
