// Chat: messages relayed by the hub to the room (stored nowhere), shown as text, never as HTML. A call feature:
// install() wires its panel, its button and its hub method and event.

import { hubErrorMessage } from './signaling.js';

/** What the server accepts as a chat message (DESIGN.md, SendChat): the trimmed text, or why not. */
export const CHAT_MAX_LENGTH = 1000;
export function cleanChatText(text) {
  const trimmed = String(text ?? '').replace(/\r\n/g, '\n').trim();
  if (!trimmed) return { error: 'A message needs some text.' };
  if (trimmed.length > CHAT_MAX_LENGTH) return { error: `A message can be at most ${CHAT_MAX_LENGTH} characters.` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(trimmed)) return { error: 'A message cannot contain control characters.' };
  // Embeddings, overrides and isolates would let a message reorder itself or look like someone else's (as the server says).
  if (/[\u202a-\u202e\u2066-\u2069]/.test(trimmed)) return { error: 'A message cannot contain text-direction control characters.' };
  return { text: trimmed };
}

/** @param {import('./features.js').FeatureContext} context */
export function install({ signaling, store, view, root }) {
  const $ = (selector) => root.querySelector(selector);
  const panel = $('#chat-panel');
  const button = $('#chat-button');
  const box = $('#chat-text');
  let unread = 0;

  const setUnread = (count) => {
    unread = count;
    const badge = $('#chat-unread');
    badge.hidden = count === 0;
    badge.textContent = count === 0 ? '' : `${count} unread`;
  };
  const toggle = (open = panel.hidden) => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) {
      setUnread(0);
      box.focus();
    }
  };

  button.addEventListener('click', () => toggle());
  $('#chat-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const { text, error } = cleanChatText(box.value);
    if (error) { view.showAlert(error); return; }
    try {
      await signaling.invoke('SendChat', { text });
      box.value = '';
    } catch (e) {
      view.showAlert(hubErrorMessage(e));
    }
  });
  // Enter sends, Shift+Enter starts a new line.
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      $('#chat-form').requestSubmit();
    }
  });

  signaling.on('ChatMessage', (message) => {
    const mine = message.from === store.selfId;
    const item = document.createElement('li');
    item.dataset.chatMessage = message.id;
    item.dataset.from = message.from;
    // Name and text are each isolated (bdi), and the text sits indented under its sender, so no line of it can pass
    // for a message of someone else's.
    const who = document.createElement('strong');
    const name = document.createElement('bdi');
    name.textContent = mine ? 'You' : message.displayName;
    who.append(name);
    const time = document.createElement('time');
    time.dateTime = message.sentAt;
    time.textContent = new Date(message.sentAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const text = document.createElement('bdi');
    text.className = 'text';
    text.textContent = message.text; // text, never markup
    item.append(who, ' ', time, text);
    const list = $('#chat-messages');
    list.append(item);
    list.scrollTop = list.scrollHeight;
    if (panel.hidden && !mine) setUnread(unread + 1);
  });
}
