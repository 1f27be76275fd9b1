import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** What the app sent back over the socket for one envelope: Slack's ack. */
export interface SocketAck {
  envelope_id: string;
  /** The ack's body: empty for a plain ack, `response_action: errors` for a bad modal, … */
  payload?: Record<string, unknown>;
}

/** One WebSocket connection the app opened, and the ticket of the URL it connected with. */
export interface SocketConnection {
  ticket: string;
  socket: WebSocket;
  closed: boolean;
}

/**
 * A stand-in for Slack's Socket Mode servers on loopback. Hand out `nextUrl()` from the fake
 * Web API's apps.connections.open; each URL carries a fresh ticket, so a test sees which answer
 * the client connected with. Like Slack, it greets every connection with `hello`, delivers
 * envelopes, and holds Slack's side of the three-second rule: each envelope waits for its ack.
 */
export class FakeSocketMode {
  readonly connections: SocketConnection[] = [];
  /** Every ack the app sent, in order. */
  readonly acks: SocketAck[] = [];
  private server!: WebSocketServer;
  private tickets = 0;
  private pendingAcks = new Map<string, (ack: SocketAck) => void>();
  private watchers: Array<() => boolean> = [];

  static async start(): Promise<FakeSocketMode> {
    const fake = new FakeSocketMode();
    fake.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => fake.server.once('listening', resolve));
    fake.server.on('connection', (socket, request) => fake.accept(socket, request.url ?? ''));
    return fake;
  }

  /** A URL as apps.connections.open gives it: a new ticket every time. */
  nextUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `ws://127.0.0.1:${port}/link/?ticket=ticket-${++this.tickets}&app_id=A0APP`;
  }

  /** The connection envelopes go to: the newest one still open. */
  get current(): SocketConnection | undefined {
    return this.connections.findLast((connection) => !connection.closed);
  }

  /** A slash command, as Slack delivers it in Socket Mode; resolves with the app's ack. */
  slashCommand(payload: Record<string, unknown>): Promise<SocketAck> {
    return this.deliver('slash_commands', payload, { accepts_response_payload: true });
  }

  /** An interaction (block_actions, view_submission, …); resolves with the app's ack. */
  interactive(payload: Record<string, unknown>): Promise<SocketAck> {
    // Slack lets the ack carry a body only where one means something: a modal's answer.
    return this.deliver('interactive', payload, {
      accepts_response_payload: payload.type === 'view_submission',
    });
  }

  /** An Events API callback (`{ type: 'event_callback', event, … }`); resolves with the ack. */
  event(callback: Record<string, unknown>): Promise<SocketAck> {
    return this.deliver('events_api', callback, {
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
    });
  }

  /** What Slack sends before recycling a connection: the client should fetch a new URL. */
  askToReconnect(): void {
    this.sendToCurrent({
      type: 'disconnect',
      reason: 'refresh_requested',
      debug_info: { host: 'fake-socket-mode' },
    });
  }

  /** A connection lost without a close handshake, as when the network or Slack's host fails. */
  dropConnection(): void {
    const connection = this.current;
    if (!connection) throw new Error('no open Socket Mode connection to drop');
    connection.socket.terminate();
  }

  /** Resolves once `count` connections have been greeted with hello. */
  waitForConnections(count: number, timeoutMs = 15_000): Promise<void> {
    return this.waitUntil(
      () => this.connections.length >= count,
      timeoutMs,
      () => `${count} connection(s); got ${this.connections.length}`,
    );
  }

  /** Resolves once no connection is open (the client left, as after app.stop()). */
  waitForNoConnection(timeoutMs = 5_000): Promise<void> {
    return this.waitUntil(
      () => this.connections.every((connection) => connection.closed),
      timeoutMs,
      () => 'every connection to close',
    );
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket, path: string): void {
    const ticket = new URL(path, 'ws://localhost').searchParams.get('ticket') ?? '';
    const connection: SocketConnection = { ticket, socket, closed: false };
    socket.on('message', (data) => this.received(String(data)));
    socket.on('close', () => {
      connection.closed = true;
      this.notify();
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake-socket-mode', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0APP' },
      }),
    );
    this.connections.push(connection);
    this.notify();
  }

  private received(text: string): void {
    const ack = JSON.parse(text) as SocketAck;
    this.acks.push(ack);
    // A late ack (after Slack gave up) is kept in `acks` only; the delivery already failed.
    this.pendingAcks.get(ack.envelope_id)?.(ack);
    this.pendingAcks.delete(ack.envelope_id);
  }

  private deliver(
    type: string,
    payload: Record<string, unknown>,
    extra: Record<string, unknown>,
    timeoutMs = 3_000,
  ): Promise<SocketAck> {
    const envelopeId = randomUUID();
    const acked = new Promise<SocketAck>((resolve, reject) => {
      // Slack gives up on an envelope that is not acknowledged within three seconds.
      const timer = setTimeout(() => {
        this.pendingAcks.delete(envelopeId);
        reject(new Error(`no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingAcks.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    this.sendToCurrent({ type, envelope_id: envelopeId, payload, ...extra });
    return acked;
  }

  private sendToCurrent(message: Record<string, unknown>): void {
    const connection = this.current;
    if (!connection) throw new Error('no open Socket Mode connection to send to');
    connection.socket.send(JSON.stringify(message));
  }

  private waitUntil(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const watcher = () => {
        if (!check()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        this.watchers = this.watchers.filter((w) => w !== watcher);
        reject(new Error(`waited ${timeoutMs} ms for ${what()}`));
      }, timeoutMs);
      this.watchers.push(watcher);
    });
  }

  private notify(): void {
    this.watchers = this.watchers.filter((watcher) => !watcher());
  }
}
