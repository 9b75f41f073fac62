// The one module that talks to SignalR. The call's core methods and events (join, relay, leave, media state) are named
// here and turned into DOM events on this object; each call feature module (chat.js, hands.js ...) names its own
// methods and events through invoke() and on(), and nowhere else.
/* global signalR */

const EVENTS = {
  PeerJoined: 'peer-joined',
  PeerLeft: 'peer-left',
  Signal: 'signal',
  MediaStateChanged: 'media-state',
  Kicked: 'kicked',
  RoomClosed: 'room-closed',
};

/** @param {{ previousRetryCount: number, elapsedMilliseconds: number }} attempt */
export function reconnectDelay({ previousRetryCount, elapsedMilliseconds }) {
  if (elapsedMilliseconds > 120_000) return null;
  return previousRetryCount === 0 ? 0 : Math.min(5000, 500 * 2 ** previousRetryCount);
}

export class Signaling extends EventTarget {
  #connection;

  /**
   * @param {string} hubUrl
   * @param {{ keepAliveMs?: number, serverTimeoutMs?: number }} [timings] the server's (Signaling:KeepAliveSeconds,
   *   Signaling:ServerTimeoutSeconds): pinging as often as the server does, and giving up on a silent server after a
   *   few missed pings, well before the cluster would give up our seat, so the page resumes on another instance.
   */
  constructor(hubUrl, { keepAliveMs = 3000, serverTimeoutMs = 8000 } = {}) {
    super();
    this.#connection = new signalR.HubConnectionBuilder()
      .withUrl(hubUrl)
      .withKeepAliveInterval(keepAliveMs)
      .withServerTimeout(serverTimeoutMs)
      // Media flows browser to browser, so a call outlives a server restart: keep trying (soon, then every 5 s) for
      // two minutes, then say the connection is lost.
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: reconnectDelay })
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    for (const [hubEvent, domEvent] of Object.entries(EVENTS)) {
      // The handler must return nothing: SignalR treats a returned value as a client result and rejects it.
      this.#connection.on(hubEvent, (detail) => { this.dispatchEvent(new CustomEvent(domEvent, { detail })); });
    }
    this.#connection.onreconnecting(() => this.dispatchEvent(new Event('reconnecting')));
    this.#connection.onreconnected(() => this.dispatchEvent(new Event('reconnected')));
    this.#connection.onclose((error) => this.dispatchEvent(new CustomEvent('closed', { detail: error })));
  }

  /** Opens the connection (WebSockets first; SignalR falls back to SSE or long polling by itself). */
  start() { return this.#connection.start(); }

  stop() { return this.#connection.stop(); }

  /**
   * @param {{ roomId: string, displayName: string, reconnectToken?: string }} request
   * @returns {Promise<{ selfId: string, isHost: boolean, capacity: number, peers: object[], iceServers: RTCIceServer[],
   *   reconnectToken: string, roomName: string, locked: boolean, resumed: boolean, uplinkBudgetKbps: number,
   *   iceTransportPolicy: RTCIceTransportPolicy, iceRefreshSeconds: number }>}
   */
  async joinRoom(request) {
    const result = await this.#connection.invoke('JoinRoom', request);
    // Features that start from the join's answer (the room's lock, say) hear it here.
    this.dispatchEvent(new CustomEvent('joined', { detail: result }));
    return result;
  }

  /** Fresh TURN credentials while seated. @returns {Promise<{ iceServers: RTCIceServer[], iceRefreshSeconds: number }>} */
  refreshIceServers() { return this.#connection.invoke('RefreshIceServers', {}); }

  /** @param {{ to: string, description?: RTCSessionDescriptionInit, candidate?: RTCIceCandidateInit }} message */
  signal(message) { return this.#connection.invoke('Signal', message); }

  setMediaState(audioMuted, videoMuted, screenSharing = false) {
    return this.#connection.invoke('SetMediaState', { audioMuted, videoMuted, screenSharing });
  }

  leaveRoom() { return this.#connection.invoke('LeaveRoom', {}); }

  /**
   * A call feature's hub method: one message object in, the hub's answer out.
   * @param {string} method @param {object} message
   */
  invoke(method, message) { return this.#connection.invoke(method, message); }

  /**
   * A call feature's hub event.
   * @param {string} event @param {(message: any) => void} handler
   */
  on(event, handler) {
    // The handler must return nothing: SignalR treats a returned value as a client result and rejects it.
    this.#connection.on(event, (message) => { handler(message); });
  }
}

/**
 * The readable part of a hub error: HubException messages arrive wrapped in "An unexpected error occurred invoking
 * 'X' on the server. HubException: ...". A connection the server turned away (429) gets words of its own.
 * @param {unknown} error
 */
export function hubErrorMessage(error) {
  const text = error instanceof Error ? error.message : String(error);
  // Negotiate or the WebSocket refused by the per-address limits (HTTP 429): nothing a hub message could say.
  if (/\b429\b|Too Many Requests/.test(text) && !text.includes('HubException')) {
    return 'Too many connections from your network right now. Wait a minute and try again.';
  }
  const marker = 'HubException: ';
  const at = text.indexOf(marker);
  return at >= 0 ? text.slice(at + marker.length) : text;
}
