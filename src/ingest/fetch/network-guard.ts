/** The private-network guard: which IP addresses are not public, and a DNS lookup that refuses them. */
import { type LookupAddress, type LookupAllOptions, type LookupOptions, lookup } from 'node:dns'
import type { LookupFunction } from 'node:net'
import { isIP } from 'node:net'
import { FetchError } from '../../model/errors.js'

/** IPv4 blocks that are not on the public internet: [first address as a 32-bit number, prefix]. */
const PRIVATE_V4: readonly (readonly [number, number])[] = [
  [0x00000000, 8], // 0.0.0.0/8 "this network", unspecified
  [0x0a000000, 8], // 10.0.0.0/8 private
  [0x64400000, 10], // 100.64.0.0/10 carrier-grade NAT
  [0x7f000000, 8], // 127.0.0.0/8 loopback
  [0xa9fe0000, 16], // 169.254.0.0/16 link-local (cloud metadata lives here)
  [0xac100000, 12], // 172.16.0.0/12 private
  [0xc0000000, 24], // 192.0.0.0/24 IETF protocol assignments
  [0xc0000200, 24], // 192.0.2.0/24 documentation
  [0xc0a80000, 16], // 192.168.0.0/16 private
  [0xc6120000, 15], // 198.18.0.0/15 benchmarking
  [0xc6336400, 24], // 198.51.100.0/24 documentation
  [0xcb007100, 24], // 203.0.113.0/24 documentation
  [0xe0000000, 4], // 224.0.0.0/4 multicast
  [0xf0000000, 4], // 240.0.0.0/4 reserved, and 255.255.255.255 broadcast
]

const parseIpv4 = (ip: string): number | undefined => {
  const parts = ip.split('.')
  if (parts.length !== 4) return undefined
  let n = 0
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined
    n = n * 256 + Number(p)
  }
  return n
}

const isPrivateV4 = (n: number): boolean =>
  PRIVATE_V4.some(([base, prefix]) => {
    const size = 2 ** (32 - prefix)
    return n >= base && n < base + size
  })

/** Eight 16-bit groups of an IPv6 address already validated by `isIP` (a dotted IPv4 tail allowed). */
const parseIpv6 = (ip: string): number[] | undefined => {
  let text = ip
  const tail: number[] = []
  const lastColon = text.lastIndexOf(':')
  const last = text.slice(lastColon + 1)
  if (last.includes('.')) {
    const v4 = parseIpv4(last)
    if (v4 === undefined) return undefined
    tail.push(Math.floor(v4 / 0x10000), v4 % 0x10000)
    text = text.slice(0, lastColon + 1)
    if (!text.endsWith('::')) text = text.slice(0, -1)
  }
  const halves = text.split('::')
  const toGroups = (s: string): number[] =>
    s === '' ? [] : s.split(':').map((g) => parseInt(g, 16))
  const head = toGroups(halves[0] ?? '')
  const rest = toGroups(halves[1] ?? '')
  const fill = halves.length === 2 ? 8 - tail.length - head.length - rest.length : 0
  if (fill < 0) return undefined
  const groups = [...head, ...new Array<number>(fill).fill(0), ...rest, ...tail]
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined
}

const v4From = (hi: number, lo: number): number => hi * 0x10000 + lo

const isPrivateV6 = (g: number[]): boolean => {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0] = g
  const [g5 = 0, g6 = 0, g7 = 0] = g.slice(5)
  const zeroTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0)
  // ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped): the IPv4 rules.
  if (zeroTo(6) || (zeroTo(5) && g5 === 0xffff)) return isPrivateV4(v4From(g6, g7))
  // 64:ff9b::/96 NAT64 well-known prefix embeds an IPv4 address; 64:ff9b:1::/48 is local-use.
  if (g0 === 0x64 && g1 === 0xff9b) return g2 === 1 || isPrivateV4(v4From(g6, g7))
  // 2002::/16 6to4 embeds the IPv4 address in the next 32 bits.
  if (g0 === 0x2002) return isPrivateV4(v4From(g1, g2))
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return true // 100::/64 discard
  if (g0 === 0x2001 && g1 === 0xdb8) return true // 2001:db8::/32 documentation
  if ((g0 & 0xfe00) === 0xfc00) return true // fc00::/7 unique-local
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return true // link-local, site-local
  return (g0 & 0xff00) === 0xff00 // ff00::/8 multicast
}

/**
 * True when an IP address is not a public internet address: loopback, private, link-local,
 * unique-local, carrier-grade NAT, multicast, unspecified, documentation or reserved — IPv4 and
 * IPv6, including IPv4-mapped (`::ffff:127.0.0.1`), NAT64 and 6to4 forms. Not an IP: false.
 * @example isPrivateAddress('10.1.2.3') // true
 * @example isPrivateAddress('2606:4700::1111') // false
 */
export const isPrivateAddress = (ip: string): boolean => {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 4) {
    const n = parseIpv4(bare)
    return n !== undefined && isPrivateV4(n)
  }
  if (family === 6) {
    const groups = parseIpv6(bare)
    return groups !== undefined && isPrivateV6(groups)
  }
  return false
}

/**
 * The error of a blocked fetch. It says only that the guard blocked it: no address, and not the
 * host a redirect named, since a source's health is public (`/api/sources`, the index page) and
 * must not map what lies behind this machine for whoever controls a feed.
 */
const refusal = (): FetchError =>
  new FetchError(
    'private-network',
    'blocked by the private-network guard: the source or a redirect led to a private, loopback ' +
      'or link-local address (allow it for this source with allow_private_networks: true)',
  )

/**
 * Throws FetchError('private-network') when the URL's host is a literal IP address that is not
 * public. Literal IPs never reach a DNS lookup, so this check must run before connecting.
 */
export const assertPublicUrl = (url: string): void => {
  let host: string
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    return // an invalid URL fails later, with its own message
  }
  if (isIP(host) !== 0 && isPrivateAddress(host)) throw refusal()
}

/** Resolves every address of a host name (the shape of `dns.lookup` with `all: true`). */
export type ResolveAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void

const systemResolve: ResolveAll = (hostname, options, callback) =>
  lookup(hostname, options, callback)

/**
 * A `net.connect` lookup that drops non-public addresses and fails with
 * FetchError('private-network') when none is left. Given to the undici Agent, it checks every
 * connection — so every redirect hop — at the moment the address is chosen (no DNS rebinding gap).
 * @param resolve the resolver (tests inject one); default `dns.lookup`
 */
export const createGuardedLookup =
  (resolve: ResolveAll = systemResolve): LookupFunction =>
  (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) {
        callback(err, '')
        return
      }
      const allowed = addresses.filter((a) => !isPrivateAddress(a.address))
      const first = allowed[0]
      if (!first) {
        callback(refusal(), '')
        return
      }
      if (options.all) callback(null, allowed)
      else callback(null, first.address, first.family)
    })
  }
