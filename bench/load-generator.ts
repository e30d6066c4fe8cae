import { connect, type Socket } from "node:net";
import { createResponseFramer } from "./response-framer.ts";
import { summarize, type LatencySummary } from "./stats.ts";

/**
 * The HTTP load generator: raw keep-alive sockets writing requests that were built (and signed)
 * before the clock starts, so the generator spends almost nothing per request and is not the
 * wall. Two shapes: closed loop (N connections, each sends its next request when the last one is
 * answered: the most the server takes) and open loop (a fixed arrival rate; a request that finds
 * every socket busy is timed from when it was due, so a stalled server cannot hide its queue).
 */
export interface LoadSpec {
  port: number;
  /** Several servers behind one address, as a load balancer spreads connections: connection k goes to `ports[k % length]`. */
  ports?: number[];
  /** Closed loop: connections, each with one request in flight. Open loop: the pool size. */
  connections: number;
  /** Open loop only: requests per second, evenly spaced. */
  ratePerS?: number;
}

export interface LoadResult {
  requests: number;
  elapsedMs: number;
  requestsPerS: number;
  latencyMs: LatencySummary;
  statuses: Record<string, number>;
  /** The generator's own CPU use over the run (1 = one core busy): near 1 means it was the limit. */
  generatorCpu: number;
  /** Open loop: how late the generator itself sent requests (a descheduled generator, not the server). */
  sendLagMs?: LatencySummary;
}

interface Conn { socket: Socket; sentAt: number; idleSince: number }

export async function runLoad(spec: LoadSpec, requests: readonly Buffer[]): Promise<LoadResult> {
  const latencies = new Float64Array(requests.length);
  const sendLags = new Float64Array(requests.length);
  const statuses: Record<string, number> = {};
  const open = spec.ratePerS !== undefined;
  const intervalMs = open ? 1000 / spec.ratePerS! : 0;
  let next = 0;
  let done = 0;
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const finished = new Promise<void>((resolve, reject) => { finish = resolve; fail = reject; });
  const idle: Conn[] = [];
  let startedAt = 0;

  const send = (conn: Conn) => {
    const i = next++;
    const now = performance.now();
    const due = startedAt + i * intervalMs;
    // Open loop: when the server held every socket at the moment a request was due, its clock
    // starts then (the wait is the server's); when a socket was free, the clock starts at the
    // send, so the generator's own scheduling hiccups (reported as send lag) are not charged.
    conn.sentAt = open && conn.idleSince > due ? due : now;
    if (open) sendLags[i] = now - due;
    conn.socket.write(requests[i]!);
  };

  const ports = spec.ports ?? [spec.port];
  const conns = await Promise.all(Array.from({ length: spec.connections }, (_, k) => new Promise<Conn>((resolve, reject) => {
    const socket = connect({ port: ports[k % ports.length]!, host: "127.0.0.1", noDelay: true });
    const conn: Conn = { socket, sentAt: 0, idleSince: 0 };
    const framer = createResponseFramer((status) => {
      latencies[done++] = performance.now() - conn.sentAt;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (done === requests.length) return finish();
      conn.idleSince = performance.now();
      if (open) idle.push(conn);
      else if (next < requests.length) send(conn);
    });
    socket.on("data", (chunk) => framer.push(chunk));
    socket.once("connect", () => resolve(conn));
    socket.on("error", (err) => { reject(err); fail(err); });
    socket.on("close", () => { if (done < requests.length) fail(new Error(`server closed a connection after ${done} responses`)); });
  })));

  startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  if (open) {
    idle.push(...conns);
    // A tight setImmediate loop (the generator owns its core) sends each request within
    // microseconds of when it is due; a timer would add up to a millisecond of jitter.
    const tick = () => {
      const due = Math.min(requests.length, Math.floor((performance.now() - startedAt) / intervalMs) + 1);
      // Oldest idle connection first: every pooled socket stays in use, none reaches the server's keep-alive timeout.
      while (next < due && idle.length > 0) send(idle.shift()!);
      if (next < requests.length) setImmediate(tick);
    };
    tick();
  } else {
    for (const conn of conns) if (next < requests.length) send(conn);
  }
  await finished;
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  for (const conn of conns) conn.socket.destroy();
  return {
    requests: requests.length,
    elapsedMs,
    requestsPerS: (requests.length / elapsedMs) * 1000,
    latencyMs: summarize(latencies),
    statuses,
    generatorCpu: (cpu.user + cpu.system) / 1000 / elapsedMs,
    ...(open && { sendLagMs: summarize(sendLags) }),
  };
}
