import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/** 127.0.0.0/8, ::1, and IPv4 loopback as an IPv6-mapped address. */
export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && (address === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(address));
}

/** True when the request came over a socket from this machine (never through a proxy: a proxy on this machine counts as loopback). */
export function isLoopbackClient(c: Context): boolean {
  try {
    return isLoopbackAddress(getConnInfo(c).remote.address);
  } catch {
    return false; // no socket (an in-process request): not known to be local
  }
}
