/** OneBot v11 message handling: CQ code parsing and escaping (spec message/string.md), segments. */

export interface Segment {
	type: string;
	data: Record<string, string>;
}

export function escapeText(s: string): string {
	return s.replace(/&/g, '&amp;').replace(/\[/g, '&#91;').replace(/\]/g, '&#93;');
}

export function escapeParam(s: string): string {
	return escapeText(s).replace(/,/g, '&#44;');
}

export function unescapeCq(s: string): string {
	return s
		.replace(/&#44;/g, ',')
		.replace(/&#91;/g, '[')
		.replace(/&#93;/g, ']')
		.replace(/&amp;/g, '&');
}

function stringifyData(data: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (data && typeof data === 'object') {
		for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
			if (v === undefined || v === null) continue;
			out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
		}
	}
	return out;
}

export function parseCqString(input: string): Segment[] {
	const segs: Segment[] = [];
	const re = /\[CQ:([a-zA-Z0-9_.-]+)((?:,[^,\]]*)*)\]/g;
	let last = 0;
	let m: RegExpExecArray | null;
	while ((m = re.exec(input))) {
		if (m.index > last)
			segs.push({ type: 'text', data: { text: unescapeCq(input.slice(last, m.index)) } });
		const data: Record<string, string> = {};
		for (const part of m[2].split(',').slice(1)) {
			const eq = part.indexOf('=');
			if (eq < 0) continue;
			data[part.slice(0, eq)] = unescapeCq(part.slice(eq + 1));
		}
		segs.push({ type: m[1], data });
		last = re.lastIndex;
	}
	if (last < input.length)
		segs.push({ type: 'text', data: { text: unescapeCq(input.slice(last)) } });
	return segs;
}

/** Normalise a `message` parameter: CQ string, plain string with auto_escape, segment array or one segment. */
export function normalizeMessage(message: unknown, autoEscape: boolean): Segment[] | null {
	if (typeof message === 'string') {
		if (message === '') return null;
		return autoEscape ? [{ type: 'text', data: { text: message } }] : parseCqString(message);
	}
	if (typeof message === 'number') return [{ type: 'text', data: { text: String(message) } }];
	const arr = Array.isArray(message)
		? message
		: message && typeof message === 'object'
			? [message]
			: null;
	if (!arr || arr.length === 0) return null;
	const segs: Segment[] = [];
	for (const item of arr) {
		if (!item || typeof item !== 'object' || typeof (item as { type?: unknown }).type !== 'string')
			return null;
		segs.push({
			type: (item as { type: string }).type,
			data: stringifyData((item as { data?: unknown }).data),
		});
	}
	return segs;
}

export function toCqString(segs: Segment[]): string {
	return segs
		.map((s) => {
			if (s.type === 'text') return escapeText(s.data.text ?? '');
			const params = Object.entries(s.data)
				.map(([k, v]) => `,${k}=${escapeParam(v)}`)
				.join('');
			return `[CQ:${s.type}${params}]`;
		})
		.join('');
}

/** The text segments only, verbatim: a literal "[CQ:at,qq=all]" typed as text shows here, a real at segment does not. */
export function plainText(segs: Segment[]): string {
	return segs.map((s) => (s.type === 'text' ? (s.data.text ?? '') : '')).join('');
}
