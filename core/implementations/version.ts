/** Version strings as implementations report them ("v1.2.0", "4.10.32", "4.9.80-beta"). */

/** Compares dotted versions; negative when a < b. */
export function compareVersions(a: string, b: string): number {
	const parts = (v: string) => (v.replace(/^v/i, '').match(/\d+/g) ?? []).map(Number);
	const x = parts(a);
	const y = parts(b);
	for (let i = 0; i < Math.max(x.length, y.length); i++) {
		const d = (x[i] ?? 0) - (y[i] ?? 0);
		if (d !== 0) return d;
	}
	return 0;
}

/** Whether `version` is at least `min`; false for an unknown version. */
export function atLeast(version: string | null, min: string): boolean {
	return version !== null && /\d/.test(version) && compareVersions(version, min) >= 0;
}

/** The major version, or null when none is reported. */
export function majorOf(version: string | null): number | null {
	const match = version ? /(\d+)/.exec(version) : null;
	return match ? Number(match[1]) : null;
}
