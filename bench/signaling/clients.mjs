// Load-client side of the three protocols over raw `ws`: no client library, one JSON.stringify per send and one
// JSON.parse per received message, for all three, so the clients cost the same and the servers are what differs.
// Each client exposes the same small surface: open(), join(room, name) -> { selfId, peers }, signal(to, body),
// onSignal(fn(from, body)), onPeerJoined(fn(id)), close().
import WebSocket from 'ws';

const RS = '\x1e'; // SignalR's record separator

/** MeshMeet's hub, spoken as SignalR's JSON hub protocol over a WebSocket (no negotiate round trip). */
export class HubClient {
  #ws; #nextId = 1; #pending = new Map(); #handlers = new Map();

  /** @param {string} baseUrl @param {string} [accessToken] a host's JWT (sent as SignalR clients do for WebSockets) */
  constructor(baseUrl, accessToken) {
    this.url = baseUrl.replace(/^http/, 'ws') + '/hubs/signaling' + (accessToken ? `?access_token=${accessToken}` : '');
  }

  async open() {
    this.#ws = new WebSocket(this.url, { perMessageDeflate: false });
    await once(this.#ws, 'open');
    const handshake = new Promise((resolve, reject) => {
      this.#ws.once('message', (data) => (String(data).startsWith('{}') ? resolve() : reject(new Error(`handshake: ${data}`))));
    });
    this.#ws.send(`{"protocol":"json","version":1}${RS}`);
    await handshake;
    this.#ws.on('message', (data) => {
      const text = String(data);
      let start = 0;
      for (let end = text.indexOf(RS); end >= 0; start = end + 1, end = text.indexOf(RS, start)) {
        this.#receive(JSON.parse(text.slice(start, end)));
      }
    });
  }

  #receive(m) {
    if (m.type === 1) this.#handlers.get(m.target)?.(m.arguments[0]);
    else if (m.type === 3) {
      const p = this.#pending.get(m.invocationId);
      this.#pending.delete(m.invocationId);
      if (m.error) p?.reject(new Error(m.error)); else p?.resolve(m.result);
    } else if (m.type === 7) this.closedByServer = m.error ?? 'closed';
  }

  invoke(target, arg) {
    const invocationId = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      this.#pending.set(invocationId, { resolve, reject });
      this.#ws.send(JSON.stringify({ type: 1, invocationId, target, arguments: [arg] }) + RS);
    });
  }

  /** Fire and forget, as a relay client sends trickle ICE. */
  send(target, arg) { this.#ws.send(JSON.stringify({ type: 1, target, arguments: [arg] }) + RS); }

  /** With the reconnect token of an earlier join: the same seat again (a page resuming after its instance died). */
  async join(roomId, displayName, reconnectToken) {
    const r = await this.invoke('JoinRoom', { roomId, displayName, reconnectToken });
    return { selfId: r.selfId, peers: r.peers.map((p) => p.id), reconnectToken: r.reconnectToken, resumed: r.resumed };
  }

  signal(to, body) { this.send('Signal', { to, ...body }); }
  onSignal(fn) { this.#handlers.set('Signal', (m) => fn(m.from, m)); }
  onPeerJoined(fn) { this.#handlers.set('PeerJoined', (m) => fn(m.id)); }
  /** SignalR's ping: the server drops a client it has heard nothing from for 30 s. */
  ping() { if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(`{"type":6}${RS}`); }
  onClose(fn) { this.#ws.on('close', fn); }
  close() { this.#ws?.terminate(); }
}

/** The Socket.IO relay (socketio-relay.mjs), spoken as Engine.IO 4 / Socket.IO 5 packets over a WebSocket. */
export class SocketIoClient {
  #ws; #nextAck = 1; #acks = new Map(); #handlers = new Map();

  constructor(baseUrl) { this.url = baseUrl.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket'; }

  async open() {
    this.#ws = new WebSocket(this.url, { perMessageDeflate: false });
    const connected = new Promise((resolve) => { this.#onConnect = resolve; });
    this.#ws.on('message', (data) => this.#receive(String(data)));
    await once(this.#ws, 'open');
    await connected;
  }

  #onConnect = () => {};

  #receive(text) {
    switch (text[0]) {
      case '0': this.#ws.send('40'); return; // engine open -> connect the default namespace
      case '2': this.#ws.send('3'); return; // ping -> pong
      case '4': break;
      default: return;
    }
    const kind = text[1];
    if (kind === '0') { this.#onConnect(); return; }
    let i = 2;
    while (i < text.length && text[i] >= '0' && text[i] <= '9') i++;
    const id = text.slice(2, i);
    const payload = JSON.parse(text.slice(i));
    if (kind === '2') this.#handlers.get(payload[0])?.(payload[1]);
    else if (kind === '3') {
      const resolve = this.#acks.get(id);
      this.#acks.delete(id);
      resolve?.(payload[0]);
    }
  }

  emit(event, data) { this.#ws.send('42' + JSON.stringify([event, data])); }

  emitWithAck(event, data) {
    const id = String(this.#nextAck++);
    return new Promise((resolve) => {
      this.#acks.set(id, resolve);
      this.#ws.send('42' + id + JSON.stringify([event, data]));
    });
  }

  async join(roomId, displayName) {
    const r = await this.emitWithAck('join', { roomId, displayName });
    return { selfId: r.selfId, peers: r.peers.map((p) => p.id) };
  }

  signal(to, body) { this.emit('signal', { to, ...body }); }
  onSignal(fn) { this.#handlers.set('signal', (m) => fn(m.from, m)); }
  onPeerJoined(fn) { this.#handlers.set('peer-joined', (m) => fn(m.id)); }
  close() { this.#ws?.terminate(); }
}

/**
 * The PeerJS server: it has no rooms, so "joining" is opening the socket under a chosen id (until the server says
 * OPEN), and the load client itself tells a room's members who arrived (as a room list on any server would).
 */
export class PeerJsClient {
  static #rooms = new Map();
  #ws; #handlers = new Map(); #id = '';

  constructor(baseUrl) { this.baseUrl = baseUrl.replace(/^http/, 'ws'); }

  /** The socket opens at join time: with PeerJS the id travels in the URL. */
  async open() {}

  async join(roomId, displayName) {
    this.#id = `${displayName}-${Math.random().toString(36).slice(2, 12)}`;
    this.#ws = new WebSocket(`${this.baseUrl}/peerjs?key=peerjs&id=${this.#id}&token=t${this.#id}`, { perMessageDeflate: false });
    const opened = new Promise((resolve, reject) => {
      this.#ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type === 'OPEN') resolve();
        else if (m.type === 'ID-TAKEN' || m.type === 'ERROR') reject(new Error(m.type));
        else this.#handlers.get('signal')?.(m.src, m.payload);
      });
    });
    await opened;
    const members = PeerJsClient.#rooms.get(roomId) ?? [];
    PeerJsClient.#rooms.set(roomId, [...members, this]);
    for (const member of members) member.#handlers.get('peer-joined')?.(this.#id);
    return { selfId: this.#id, peers: members.map((m) => m.#id) };
  }

  signal(to, body) {
    const type = body.description ? body.description.type.toUpperCase() : 'CANDIDATE';
    this.#ws.send(JSON.stringify({ type, dst: to, payload: body }));
  }

  onSignal(fn) { this.#handlers.set('signal', fn); }
  onPeerJoined(fn) { this.#handlers.set('peer-joined', fn); }
  close() { this.#ws?.terminate(); }
  static reset() { PeerJsClient.#rooms.clear(); }
}

function once(emitter, event) {
  return new Promise((resolve, reject) => {
    emitter.once(event, resolve);
    emitter.once('error', reject);
  });
}
