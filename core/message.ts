/**
 * Building outgoing messages from user input, CQ-code escaping (spec `message/string.md`) and the
 * canonical form used to compare a sent message with what a witness received.
 */
import type { Segment } from './types';

/** A user input problem, with the field it concerns so the node can name it. */
export class InputError extends Error {
	constructor(
		message: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'InputError';
	}
}

export type MessageMode = 'text' | 'segments' | 'cq';

export interface MessageInput {
	mode: MessageMode;
	content: unknown;
}

/** Escapes plain text for a CQ string: `&` `[` `]`. */
export function escapeCq(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/\[/g, '&#91;').replace(/]/g, '&#93;');
}

/** Escapes a CQ parameter value: as text, plus `,`. */
export function escapeCqParam(value: string): string {
	return escapeCq(value).replace(/,/g, '&#44;');
}

/** Reverses both escapings. `&amp;` goes last so `&amp;#91;` stays the literal `&#91;`. */
export function unescapeCq(text: string): string {
	return text
		.replace(/&#44;/g, ',')
		.replace(/&#91;/g, '[')
		.replace(/&#93;/g, ']')
		.replace(/&amp;/g, '&');
}

function paramString(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
		return String(value);
	return JSON.stringify(value);
}

function renderCode(type: string, entries: Array<[string, unknown]>): string {
	const params = entries
		.map(([key, value]) => [key, paramString(value)] as const)
		.filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
		.map(([key, value]) => `,${key}=${escapeCqParam(value)}`)
		.join('');
	return `[CQ:${type}${params}]`;
}

/** Renders segments as a CQ string with the spec's escaping. */
export function segmentsToCqString(segments: Segment[]): string {
	return segments
		.map((segment) =>
			segment.type === 'text'
				? escapeCq(String(segment.data.text ?? ''))
				: renderCode(segment.type, Object.entries(segment.data ?? {})),
		)
		.join('');
}

/**
 * Parses a CQ string into segments. Text between codes is unescaped; so are parameter values.
 * A `[CQ:` that is never closed is an error: the user asked for CQ codes, so a broken one is a typo.
 */
export function parseCqString(input: string): Segment[] {
	const segments: Segment[] = [];
	const pushText = (raw: string) => {
		if (!raw) return;
		const text = unescapeCq(raw);
		const last = segments[segments.length - 1];
		if (last && last.type === 'text') last.data.text = String(last.data.text) + text;
		else segments.push({ type: 'text', data: { text } });
	};
	let position = 0;
	while (position < input.length) {
		const start = input.indexOf('[CQ:', position);
		if (start < 0) {
			pushText(input.slice(position));
			break;
		}
		pushText(input.slice(position, start));
		const end = input.indexOf(']', start);
		if (end < 0)
			throw new InputError(`Malformed CQ code at position ${start}: missing "]"`, 'message');
		const body = input.slice(start + 4, end);
		const [type, ...params] = body.split(',');
		if (!/^[A-Za-z0-9_.-]+$/.test(type)) {
			throw new InputError(`Malformed CQ code at position ${start}: bad type "${type}"`, 'message');
		}
		const data: Record<string, unknown> = {};
		for (const param of params) {
			const equals = param.indexOf('=');
			if (equals <= 0)
				throw new InputError(
					`Malformed CQ code at position ${start}: bad parameter "${param}"`,
					'message',
				);
			// defineProperty: a key named __proto__ stays an ordinary own key instead of setting the prototype.
			Object.defineProperty(data, param.slice(0, equals).trim(), {
				value: unescapeCq(param.slice(equals + 1)),
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
		segments.push({ type, data });
		position = end + 1;
	}
	return segments;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateSegment(value: unknown, index: number): Segment {
	if (!isPlainObject(value)) {
		throw new InputError(
			`Malformed segment at index ${index}: expected an object like {"type":"text","data":{...}}`,
			'message',
		);
	}
	if (typeof value.type !== 'string' || !value.type.trim()) {
		throw new InputError(
			`Malformed segment at index ${index}: "type" must be a non-empty string`,
			'message',
		);
	}
	if (value.data !== undefined && !isPlainObject(value.data)) {
		throw new InputError(
			`Malformed segment at index ${index}: "data" must be an object`,
			'message',
		);
	}
	const data = { ...((value.data as Record<string, unknown>) ?? {}) };
	if (value.type === 'text' && typeof data.text !== 'string') {
		throw new InputError(
			`Malformed segment at index ${index}: a text segment needs "data.text" as a string`,
			'message',
		);
	}
	return { type: value.type, data };
}

function isEmpty(segments: Segment[]): boolean {
	return segments.every(
		(segment) => segment.type === 'text' && !String(segment.data.text ?? '').trim(),
	);
}

function parseSegmentsInput(content: unknown): Segment[] {
	let value = content;
	if (typeof value === 'string') {
		if (!value.trim()) throw new InputError('The message is empty', 'message');
		try {
			value = JSON.parse(value);
		} catch (error) {
			// The core knows nothing of n8n; the node turns InputError into a NodeOperationError naming the item.
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
			throw new InputError(`The message is not valid JSON: ${(error as Error).message}`, 'message');
		}
	}
	if (Array.isArray(value)) return value.map(validateSegment);
	if (isPlainObject(value)) return [validateSegment(value, 0)];
	throw new InputError(
		'Unknown message shape: expected a segment array, one segment, or their JSON',
		'message',
	);
}

/**
 * Builds the outgoing message. Plain text is always one literal text segment, so `[CQ:at,qq=all]`
 * typed by a user reaches the group as those characters, never as a mention.
 */
export function buildMessage(input: MessageInput): Segment[] {
	let segments: Segment[];
	switch (input.mode) {
		case 'text': {
			if (typeof input.content !== 'string' && typeof input.content !== 'number') {
				throw new InputError('The message must be text', 'message');
			}
			segments = [{ type: 'text', data: { text: String(input.content) } }];
			break;
		}
		case 'segments':
			segments = parseSegmentsInput(input.content);
			break;
		case 'cq': {
			if (typeof input.content !== 'string')
				throw new InputError('A CQ message must be a string', 'message');
			segments = parseCqString(input.content);
			break;
		}
		default:
			throw new InputError(
				`Unknown message mode "${String((input as { mode: unknown }).mode)}"`,
				'messageMode',
			);
	}
	if (segments.length === 0 || isEmpty(segments))
		throw new InputError('The message is empty', 'message');
	return segments;
}

/**
 * Which data keys identify a segment on both the sending and the receiving side. Media segments
 * come back with other file names and urls, and a reply's id is per account, so only their type is
 * compared. Types not listed keep all their keys.
 */
const MATCH_KEYS: Readonly<Record<string, readonly string[]>> = {
	at: ['qq'],
	face: ['id'],
	mface: [],
	image: [],
	record: [],
	video: [],
	file: [],
	reply: [],
	forward: [],
	node: [],
	json: [],
	xml: [],
	markdown: [],
	dice: [],
	rps: [],
	poke: ['type', 'id'],
};

/** Own properties only: a segment type or key named like an Object.prototype member is an ordinary name. */
function own(record: object, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(record, key);
}

function canonicalSegment(segment: Segment): string {
	if (segment.type === 'text')
		return escapeCq(String(segment.data?.text ?? '').replace(/\r\n?/g, '\n'));
	const data = segment.data ?? {};
	const listed = own(MATCH_KEYS, segment.type) ? MATCH_KEYS[segment.type] : Object.keys(data);
	const keys = listed.filter((key) => own(data, key)).sort();
	return renderCode(
		segment.type,
		keys.map((key) => [key, data[key]]),
	);
}

function toSegments(message: string | Segment[] | Segment): Segment[] {
	if (typeof message === 'string') {
		try {
			return parseCqString(message);
		} catch {
			return [{ type: 'text', data: { text: unescapeCq(message) } }];
		}
	}
	return Array.isArray(message) ? message : [message];
}

/**
 * A canonical string for comparing messages: a received string (message_format string, or
 * raw_message) is read as CQ, text is compared unescaped, adjacent text merges, non-text segments
 * render as `[CQ:type,k=v]` with sorted identifying keys, and surrounding whitespace is ignored.
 * Escaped and unescaped text, string and array forms of one message give the same result.
 */
export function normaliseForMatch(message: string | Segment[] | Segment): string {
	return toSegments(message).map(canonicalSegment).join('').trim();
}

/**
 * `normaliseForMatch` of something an implementation returned, whose shape is not guaranteed: null when
 * it cannot be read as a message (such an entry is nobody's message; it must never crash a run).
 */
export function tryNormaliseForMatch(message: unknown): string | null {
	try {
		return normaliseForMatch(message as string | Segment[] | Segment);
	} catch {
		return null;
	}
}

/** QQ user and group numbers are unsigned 32-bit. */
export const MAX_QQ_ID = 4294967295;

/** Reads a QQ or group number from user input (number or numeric string). */
export function parseTargetId(value: unknown, field: string): number {
	let text: string;
	if (typeof value === 'number') {
		if (!Number.isInteger(value))
			throw new InputError(`${field} must be a whole number, got ${value}`, field);
		text = String(value);
	} else if (typeof value === 'string') {
		text = value.trim();
	} else if (typeof value === 'bigint') {
		text = value.toString();
	} else {
		throw new InputError(`${field} is required and must be a QQ number`, field);
	}
	if (!text) throw new InputError(`${field} is required`, field);
	if (!/^\d+$/.test(text))
		throw new InputError(`${field} must be a positive whole number, got "${text}"`, field);
	const id = Number(text);
	if (id < 1 || id > MAX_QQ_ID)
		throw new InputError(`${field} must be between 1 and ${MAX_QQ_ID}, got ${text}`, field);
	return id;
}
