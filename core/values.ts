/** Small readers for untyped values from OneBot answers and events, shared by the whole core. */

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number, or a string of a whole number (OneBot implementations send ids either way). */
export function toNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
	return undefined;
}

/** Longest text kept from a body or raw answer in outputs and errors. */
export const MAX_RAW_TEXT = 300;

/** The text cut to MAX_RAW_TEXT characters, with an ellipsis when it was longer. */
export function clip(text: string): string {
	return text.length > MAX_RAW_TEXT ? `${text.slice(0, MAX_RAW_TEXT)}…` : text;
}

/** A response body as bounded text: a string as it is, anything else as JSON. */
export function bodyText(body: unknown): string {
	return clip(typeof body === 'string' ? body : (JSON.stringify(body) ?? ''));
}

/** The `data` of a OneBot answer as the `raw.body` of an error: its JSON, first MAX_RAW_TEXT characters. */
export function dataExcerpt(data: unknown): string {
	return JSON.stringify(data ?? null).slice(0, MAX_RAW_TEXT);
}

/**
 * A request header's first value, found in any letter case (n8n and Express hand headers over lower-cased;
 * callers may pass any case), without surrounding whitespace.
 */
export function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted) continue;
		const first = Array.isArray(value) ? value[0] : value;
		return typeof first === 'string' ? first.trim() : undefined;
	}
	return undefined;
}
