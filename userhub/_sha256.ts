/**
 * SHA-256 (FIPS 180-4) in plain TypeScript, for the HMAC of small bodies.
 *
 * Why not WebCrypto or `node:crypto`: on Deno 2.9 `crypto.subtle` is an async
 * op that hops to a thread pool (about 20 µs per call whatever the size), and
 * `node:crypto` costs about 40 ms and 8 MiB at start, plus a Node stream object
 * per hash (peak RSS under load grew by 25 MiB). This allocates nothing per
 * call, and 26 blocks (a 1.6 KB event) take about 8 µs. It is only used for
 * small bodies; large ones go to WebCrypto (see `signature.ts`).
 *
 * Timing does not depend on the data: only additions, rotations and logic
 * operations, no table indexed by a secret.
 *
 * @module
 */

/** The round constants. */
const K = new Int32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

/** The initial hash value. */
const IV = new Int32Array([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
]);

/** The message schedule, shared: the functions here run to completion. */
const W = new Int32Array(64);

/**
 * A SHA-256 computation: `update` with bytes, then `digestInto`. `copy`
 * snapshots it, so a prefix (an HMAC key block) is hashed once. Full blocks
 * are read where they lie, not copied.
 */
export class Sha256 {
  readonly #state = IV.slice();
  readonly #block = new Uint8Array(64);
  readonly #blockView = new DataView(this.#block.buffer);
  #buffered = 0;
  #length = 0;

  /** Resets this computation to the state of `other`. */
  copyFrom(other: Sha256): this {
    this.#state.set(other.#state);
    this.#block.set(other.#block);
    this.#buffered = other.#buffered;
    this.#length = other.#length;
    return this;
  }

  /** Hashes more bytes. */
  update(data: Uint8Array): this {
    let offset = 0;
    this.#length += data.length;
    if (this.#buffered > 0) {
      offset = Math.min(64 - this.#buffered, data.length);
      this.#block.set(data.subarray(0, offset), this.#buffered);
      this.#buffered += offset;
      if (this.#buffered < 64) return this;
      compress(this.#state, this.#blockView, 0, 64);
      this.#buffered = 0;
    }
    const full = offset + ((data.length - offset) & ~63);
    if (full > offset) {
      compress(this.#state, new DataView(data.buffer, data.byteOffset, data.length), offset, full);
    }
    if (full < data.length) {
      this.#block.set(data.subarray(full));
      this.#buffered = data.length - full;
    }
    return this;
  }

  /** Ends the computation and writes the 32-byte digest into `out` at `offset`. */
  digestInto(out: DataView, offset: number): void {
    const bits = this.#length * 8;
    const block = this.#block;
    block[this.#buffered] = 0x80;
    block.fill(0, this.#buffered + 1);
    if (this.#buffered >= 56) {
      compress(this.#state, this.#blockView, 0, 64);
      block.fill(0);
    }
    this.#blockView.setUint32(56, Math.floor(bits / 0x100000000));
    this.#blockView.setUint32(60, bits >>> 0);
    compress(this.#state, this.#blockView, 0, 64);
    for (let i = 0; i < 8; i++) out.setInt32(offset + 4 * i, this.#state[i]!);
  }
}

/** Runs the compression function over the 64-byte blocks of `v` from `start` to `end`. */
function compress(s: Int32Array, v: DataView, start: number, end: number): void {
  let h0 = s[0]!,
    h1 = s[1]!,
    h2 = s[2]!,
    h3 = s[3]!,
    h4 = s[4]!,
    h5 = s[5]!,
    h6 = s[6]!,
    h7 = s[7]!;
  const w = W, k = K;
  for (let o = start; o < end; o += 64) {
    for (let i = 0; i < 16; i++) w[i] = v.getInt32(o + 4 * i);
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!, y = w[i - 2]!;
      w[i] = (w[i - 16]! + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) +
        w[i - 7]! + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7, t = 0;
    // Eight rounds per pass, the variables renamed instead of shifted.
    for (let i = 0; i < 64; i += 8) {
      t = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        (g ^ (e & (f ^ g))) + k[i + 0]! + w[i + 0]!) | 0;
      d = (d + t) | 0;
      h = (t + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) | (c & (a | b)))) | 0;
      t = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) +
        (f ^ (d & (e ^ f))) + k[i + 1]! + w[i + 1]!) | 0;
      c = (c + t) | 0;
      g = (t + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) +
        ((h & a) | (b & (h | a)))) | 0;
      t = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) +
        (e ^ (c & (d ^ e))) + k[i + 2]! + w[i + 2]!) | 0;
      b = (b + t) | 0;
      f = (t + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) +
        ((g & h) | (a & (g | h)))) | 0;
      t = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) +
        (d ^ (b & (c ^ d))) + k[i + 3]! + w[i + 3]!) | 0;
      a = (a + t) | 0;
      e = (t + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) +
        ((f & g) | (h & (f | g)))) | 0;
      t = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) +
        (c ^ (a & (b ^ c))) + k[i + 4]! + w[i + 4]!) | 0;
      h = (h + t) | 0;
      d = (t + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) +
        ((e & f) | (g & (e | f)))) | 0;
      t = (c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) +
        (b ^ (h & (a ^ b))) + k[i + 5]! + w[i + 5]!) | 0;
      g = (g + t) | 0;
      c = (t + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) +
        ((d & e) | (f & (d | e)))) | 0;
      t = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) +
        (a ^ (g & (h ^ a))) + k[i + 6]! + w[i + 6]!) | 0;
      f = (f + t) | 0;
      b = (t + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) +
        ((c & d) | (e & (c | d)))) | 0;
      t = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) +
        (h ^ (f & (g ^ h))) + k[i + 7]! + w[i + 7]!) | 0;
      e = (e + t) | 0;
      a = (t + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) +
        ((b & c) | (d & (b | c)))) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  s[0] = h0;
  s[1] = h1;
  s[2] = h2;
  s[3] = h3;
  s[4] = h4;
  s[5] = h5;
  s[6] = h6;
  s[7] = h7;
}
