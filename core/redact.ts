/**
 * Keeping secrets out of what users see. A URL may carry them in its userinfo (`user:pass@`) and in its
 * query (webhook tokens, `access_token`): outputs, errors and reports show such URLs without either.
 */

/** The URL with userinfo removed and every query value replaced by `***`; unparsable input is cut to its scheme. */
export function redactUrl(url: string): string {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
		return scheme ? `${scheme}***` : '***';
	}
	parsed.username = '';
	parsed.password = '';
	for (const key of [...new Set(parsed.searchParams.keys())]) parsed.searchParams.set(key, '***');
	if (parsed.hash) parsed.hash = '';
	return parsed.toString().replace(/%2A%2A%2A/g, '***');
}

/** The text with every URL in it redacted, and each given secret (non-empty, 4+ chars) replaced by `***`. */
export function redactText(text: string, secrets: Array<string | undefined> = []): string {
	let out = text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (match) => redactUrl(match));
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('***');
	}
	return out;
}
