import net from "node:net";

/** Which connections a stall swallows: every one from then on (the network is gone), or only those open now. */
export type StallScope = "all" | "existing";

export interface StallTrigger {
  /** Stall when a client sends bytes containing this text (SQL travels in clear on a local socket). */
  pattern: string;
  /** Pass the triggering bytes to the server first (it runs the request; its answer is lost). @default false */
  forward?: boolean;
  /** @default "all" */
  scope?: StallScope;
}

/**
 * A TCP proxy in front of a database server that can turn into a black hole: it keeps every
 * socket open and accepts bytes, but passes nothing on, in either direction, and closes
 * nothing. Keepalives see a live peer; only a timeout or a question asked elsewhere can tell.
 */
export class BlackHoleProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #stalled = new WeakSet<net.Socket>();
  #newOnesStall = false;
  #trigger: (StallTrigger & { fired: () => void }) | undefined;
  /** Connections clients opened through the proxy. */
  accepted = 0;

  private constructor(readonly port: number, server: net.Server) {
    this.#server = server;
  }

  static async start(targetHost: string, targetPort: number, listenHost = "127.0.0.1", listenPort = 0): Promise<BlackHoleProxy> {
    let proxy: BlackHoleProxy | undefined;
    const server = net.createServer((client) => proxy!.#accept(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(listenPort, listenHost, resolve));
    proxy = new BlackHoleProxy((server.address() as net.AddressInfo).port, server);
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  url(url: string, host = "127.0.0.1"): string {
    const parsed = new URL(url);
    parsed.hostname = host.includes(":") ? `[${host}]` : host;
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Swallow everything from now on: open connections and new ones. */
  stallAll(): void {
    this.#newOnesStall = true;
    for (const socket of this.#sockets) this.#stalled.add(socket);
  }

  /** Swallow the connections open now; new ones still pass (only our session's path is broken). */
  stallExisting(): void {
    for (const socket of this.#sockets) this.#stalled.add(socket);
  }

  /** Stall when a client sends `pattern`; resolves when it has. */
  stallOn(trigger: StallTrigger): Promise<void> {
    return new Promise((resolve) => {
      this.#trigger = { ...trigger, fired: resolve };
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket, host: string, port: number): void {
    this.accepted++;
    client.on("error", () => undefined);
    this.#sockets.add(client);
    if (this.#newOnesStall) {
      // Accept the connection, read what comes, never answer.
      this.#stalled.add(client);
      client.on("data", () => undefined);
      return;
    }
    const upstream = net.connect(port, host);
    upstream.on("error", () => undefined);
    this.#sockets.add(upstream);
    let tail = "";
    client.on("data", (chunk: Buffer) => {
      if (this.#stalled.has(client)) return;
      const text = tail + chunk.toString("latin1");
      const trigger = this.#trigger;
      if (trigger !== undefined && text.includes(trigger.pattern)) {
        this.#trigger = undefined;
        if (trigger.forward) upstream.write(chunk);
        if ((trigger.scope ?? "all") === "all") this.stallAll();
        else this.stallExisting();
        trigger.fired();
        return;
      }
      tail = text.slice(-Math.max(0, (trigger?.pattern.length ?? 1) - 1));
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!this.#stalled.has(client)) client.write(chunk);
    });
    // A black hole passes no goodbye either: the other side never learns the connection ended.
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      from.on("close", () => {
        if (!this.#stalled.has(client)) to.destroy();
      });
    }
  }
}
