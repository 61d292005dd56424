/**
 * The MinHash signature of minhash.ts in WebAssembly SIMD: four hash functions per instruction.
 * The module is assembled here, instruction by instruction, from the listing below (no build
 * step, no binary file); minhash.ts keeps its loop in JavaScript for where it cannot be compiled.
 */

/**
 * Hash functions a signature may have at most here (the module's memory holds their seeds and
 * minima below {@link FEATURES_AT}); minhash.ts computes longer signatures in JavaScript.
 */
export const MAX_SIMD_HASHES = 512

/** Byte offsets in the module's memory: the seeds, the signature written, the features read. */
const SEEDS_AT = 0
const SIG_AT = SEEDS_AT + MAX_SIMD_HASHES * 4
const FEATURES_AT = SIG_AT + MAX_SIMD_HASHES * 4
const PAGE = 65_536

/** What this file uses of the WebAssembly API (the project's `lib` declares none of it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => { exports: Record<string, unknown> }
}
/** A module's memory, as WebAssembly.Memory has it. */
interface Memory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}

/** Hash functions per pass over the features: four vectors of four lanes (more independent work per feature). */
const LANES = 4
const VECTORS = 4
const PER_PASS = LANES * VECTORS

// --- A tiny assembler: just the instructions the listing uses. ---

const uleb = (n: number): number[] => {
  const out: number[] = []
  for (;;) {
    const b = n & 0x7f
    n >>>= 7
    if (n === 0) {
      out.push(b)
      return out
    }
    out.push(b | 0x80)
  }
}
const sleb = (n: number): number[] => {
  const out: number[] = []
  let v = n | 0
  for (;;) {
    const b = v & 0x7f
    v >>= 7
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b)
      return out
    }
    out.push(b | 0x80)
  }
}
const get = (i: number) => [0x20, ...uleb(i)]
const set = (i: number) => [0x21, ...uleb(i)]
const tee = (i: number) => [0x22, ...uleb(i)]
const i32 = (v: number) => [0x41, ...sleb(v)]
const I32_ADD = [0x6a]
const I32_SHL = [0x74]
const I32_EQ = [0x46]
const I32_LOAD = [0x28, 2, 0]
const BLOCK = [0x02, 0x40]
const LOOP = [0x03, 0x40]
const END = [0x0b]
const brIf = (depth: number) => [0x0d, ...uleb(depth)]
const br = (depth: number) => [0x0c, ...uleb(depth)]
const simd = (op: number) => [0xfd, ...uleb(op)]
const V128_LOAD = (offset: number) => [...simd(0x00), 4, ...uleb(offset)]
const V128_STORE = (offset: number) => [...simd(0x0b), 4, ...uleb(offset)]
const I32X4_SPLAT = simd(0x11)
const V128_XOR = simd(0x51)
const I32X4_SHR_U = simd(0xad)
const I32X4_MUL = simd(0xb5)
const I32X4_MIN_U = simd(0xb7)

const section = (id: number, payload: number[]) => [id, ...uleb(payload.length), ...payload]
const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, 'latin1')]

/**
 * `signature(features, passes)`: for each pass p < passes and each of its PER_PASS hash functions
 * i = p·PER_PASS + l, the unsigned minimum over the `features` words at FEATURES_AT of mix32's
 * last three steps applied to (feature ^ seed i), stored at SIG_AT + 4i. minhash.ts stores each
 * seed and each feature with mix32's first step (x ^ x >>> 16) done: that step is linear in XOR,
 * so mix32(f ^ s) = rest(step(f) ^ step(s)), one XOR per hash where there were three operations.
 */
const moduleBytes = (): Uint8Array => {
  // Parameters: 0 features (a count), 1 passes. Locals: i32 2 pass (byte offset of its seeds),
  // 3 at (a feature's address), 4 end (the features' end), 5 last (the passes' end);
  // v128 6 x (a feature in every lane), 7 h, 8 c1, 9 c2, then each vector's seeds and minima.
  const [FEATURES, PASSES, PASS, AT, END_AT, LAST, X, H, C1, C2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
  const SEED = (v: number) => 10 + v
  const MIN = (v: number) => 10 + VECTORS + v
  const body: number[] = []
  const op = (...parts: number[][]) => body.push(...parts.flat())
  op(i32(0x85ebca6b), I32X4_SPLAT, set(C1)) // c1 = i32x4.splat(0x85ebca6b)
  op(i32(0xc2b2ae35), I32X4_SPLAT, set(C2)) // c2 = i32x4.splat(0xc2b2ae35)
  op(get(FEATURES), i32(2), I32_SHL, i32(FEATURES_AT), I32_ADD, set(END_AT)) // end = FEATURES_AT + 4·features
  op(get(PASSES), i32(Math.log2(PER_PASS * 4)), I32_SHL, set(LAST)) // last = 4·PER_PASS·passes
  op(BLOCK, LOOP) // for (pass = 0; pass !== last; pass += 4·PER_PASS)
  op(get(PASS), get(LAST), I32_EQ, brIf(1))
  for (let v = 0; v < VECTORS; v++) {
    op(get(PASS), V128_LOAD(SEEDS_AT + 16 * v), set(SEED(v))) // seed[v] = v128.load(pass + 16v)
    op(i32(-1), I32X4_SPLAT, set(MIN(v))) // min[v] = all ones
  }
  op(i32(FEATURES_AT), set(AT), BLOCK, LOOP) // for (at = FEATURES_AT; at !== end; at += 4)
  op(get(AT), get(END_AT), I32_EQ, brIf(1))
  op(get(AT), I32_LOAD, I32X4_SPLAT, set(X)) // x = i32x4.splat(i32.load(at))
  for (let v = 0; v < VECTORS; v++) {
    op(get(MIN(v))) // min[v] = min_u(min[v], h), where:
    op(get(X), get(SEED(v)), V128_XOR, get(C1), I32X4_MUL, tee(H)) // h = (x ^ seed[v]) · c1
    op(get(H), i32(13), I32X4_SHR_U, V128_XOR, get(C2), I32X4_MUL, tee(H)) // h = (h ^ h >>> 13) · c2
    op(get(H), i32(16), I32X4_SHR_U, V128_XOR) // h ^ h >>> 16
    op(I32X4_MIN_U, set(MIN(v)))
  }
  op(get(AT), i32(4), I32_ADD, set(AT), br(0), END, END)
  for (let v = 0; v < VECTORS; v++) {
    op(get(PASS), get(MIN(v)), V128_STORE(SIG_AT + 16 * v)) // v128.store(SIG_AT + pass + 16v, min[v])
  }
  op(get(PASS), i32(PER_PASS * 4), I32_ADD, set(PASS), br(0), END, END, END)
  // 4 i32 locals after the 2 parameters, then 4 + 2 · VECTORS v128 locals.
  const fn = [...uleb(2), ...uleb(4), 0x7f, ...uleb(4 + 2 * VECTORS), 0x7b, ...body]
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 2, 0x7f, 0x7f, 0]), // type 0: (i32, i32) -> ()
    ...section(3, [1, 0]), // one function, of type 0
    ...section(5, [1, 0, 1]), // one memory of one page, no maximum
    ...section(7, [2, ...name('memory'), 2, 0, ...name('signature'), 0, 0]),
    ...section(10, [1, ...uleb(fn.length), ...fn]),
  ])
}

/**
 * A MinHash signature function for `seeds` (at most {@link MAX_SIMD_HASHES}): it writes into
 * `sig` (seeds.length values) the minimum over `features` (its first `length`: all by default)
 * of mix32(feature ^ seed) for each seed,
 * as minhash.ts's loop does. Undefined where WebAssembly SIMD is not available. Not reentrant:
 * one module memory per function, reused by every call.
 */
export const createSimdSignature = (
  seeds: Uint32Array,
): ((features: Uint32Array, sig: Uint32Array, length?: number) => void) | undefined => {
  if (seeds.length > MAX_SIMD_HASHES) return undefined
  let exports: Record<string, unknown>
  try {
    exports = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes())).exports
  } catch {
    return undefined
  }
  const memory = exports.memory as Memory
  const signature = exports.signature as (features: number, passes: number) => void
  const passes = Math.ceil(seeds.length / PER_PASS)
  let words = new Uint32Array(memory.buffer)
  for (let i = 0; i < seeds.length; i++) {
    const s = seeds[i]!
    words[SEEDS_AT / 4 + i] = s ^ (s >>> 16)
  }
  return (features, sig, length = features.length) => {
    const m = length
    const bytes = FEATURES_AT + m * 4
    if (bytes > memory.buffer.byteLength) {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE))
      words = new Uint32Array(memory.buffer)
    }
    for (let j = 0, at = FEATURES_AT / 4; j < m; j++, at++) {
      const f = features[j]!
      words[at] = f ^ (f >>> 16)
    }
    signature(m, passes)
    // Copied value by value: a view of the memory for set() would be an object per call.
    for (let i = 0, at = SIG_AT / 4; i < sig.length; i++, at++) sig[i] = words[at]!
  }
}
