/** Small deterministic PRNG (mulberry32) and string hashing used for seeds and ids. */
import { createHash } from 'node:crypto';

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function hashSeed(...parts: Array<string | number>): number {
	const h = createHash('sha1').update(parts.join('\u0000')).digest();
	return h.readUInt32BE(0);
}

export function md5UInt32(input: string): number {
	return createHash('md5').update(input).digest().readUInt32BE(0);
}

export function md5Int31(input: string): number {
	return createHash('md5').update(input).digest().readUInt32BE(0) & 0x7fffffff;
}

const CRC_TABLE = (() => {
	const t = new Int32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c;
	}
	return t;
})();

export function crc32(input: string): number {
	const buf = Buffer.from(input, 'utf8');
	let c = -1;
	for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ -1) >>> 0;
}

/** Reinterpret an unsigned 32-bit value as a signed int32 (as Go's int32(uint32) does). */
export function toInt32(u: number): number {
	return u | 0;
}
