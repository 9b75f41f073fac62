// The chat panel: messages relayed by the hub to the room (stored nowhere), shown as text, never as HTML.

import { cleanChatText } from './rules.js';

export class ChatPanel {
  #root;
  #unread = 0;

  /**
   * @param {HTMLElement} root the call element
   * @param {(text: string) => Promise<void>} send
   * @param {(message: string) => void} alert
   */
  constructor(root, send, alert) {
    this.#root = root;
    this.#$('#chat-button').addEventListener('click', () => this.toggle());
    this.#$('#chat-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const box = this.#$('#chat-text');
      const { text, error } = cleanChatText(box.value);
      if (error) { alert(error); return; }
      try {
        await send(text);
        box.value = '';
      } catch (e) {
        alert(e instanceof Error ? e.message : String(e));
      }
    });
    // Enter sends, Shift+Enter starts a new line.
    this.#$('#chat-text').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        this.#$('#chat-form').requestSubmit();
      }
    });
  }

  get isOpen() { return !this.#$('#chat-panel').hidden; }

  toggle(open = !this.isOpen) {
    this.#$('#chat-panel').hidden = !open;
    this.#$('#chat-button').setAttribute('aria-expanded', String(open));
    if (open) {
      this.#setUnread(0);
      this.#$('#chat-text').focus();
    }
  }

  /** @param {{ id: string, from: string, displayName: string, text: string, sentAt: string }} message */
  add(message, mine) {
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
    const list = this.#$('#chat-messages');
    list.append(item);
    list.scrollTop = list.scrollHeight;
    if (!this.isOpen && !mine) this.#setUnread(this.#unread + 1);
  }

  #setUnread(count) {
    this.#unread = count;
    const badge = this.#$('#chat-unread');
    badge.hidden = count === 0;
    badge.textContent = count === 0 ? '' : `${count} unread`;
  }

  #$(selector) { return this.#root.querySelector(selector); }
}
