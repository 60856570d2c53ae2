/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- benchmark tooling, runs outside n8n */
/**
 * The latency chart: cumulative distributions on a log time axis, drawn as SVG and converted to PNG with
 * rsvg-convert or ImageMagick (no network, no browser).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface Series {
	label: string;
	color: string;
	values: number[];
}

export interface Marker {
	label: string;
	color: string;
	x: number;
	/** Height of the label as a share of the plot (0 bottom, 1 top). */
	labelAt: number;
}

const W = 960;
const H = 540;
const M = { left: 70, right: 30, top: 100, bottom: 70 };

function esc(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function cdfSvg(
	title: string,
	subtitle: string,
	series: Series[],
	markers: Marker[],
	xLabel: string,
): string {
	const all = series.flatMap((s) => s.values).filter((v) => v > 0);
	const lo = Math.max(
		0.1,
		Math.pow(10, Math.floor(Math.log10(Math.min(...all, ...markers.map((m) => m.x))))),
	);
	const top = Math.max(...all, ...markers.map((m) => m.x));
	const decade = Math.pow(10, Math.floor(Math.log10(top)));
	const hi = [1, 2, 5, 10].map((k) => k * decade).find((v) => v >= top) ?? 10 * decade;
	const pw = W - M.left - M.right;
	const ph = H - M.top - M.bottom;
	const x = (v: number) =>
		M.left +
		((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * pw;
	const y = (p: number) => M.top + (1 - p) * ph;
	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">`,
		`<rect width="${W}" height="${H}" fill="#ffffff"/>`,
		`<text x="${M.left}" y="26" font-size="18" font-weight="bold" fill="#111">${esc(title)}</text>`,
		`<text x="${M.left}" y="46" font-size="12" fill="#555">${esc(subtitle)}</text>`,
	];
	parts.push(...gridAndAxes({ x, y, pw, ph }, lo, hi, xLabel));
	markers.forEach((m) => {
		const px = x(m.x);
		parts.push(
			`<line x1="${px}" y1="${M.top}" x2="${px}" y2="${M.top + ph}" stroke="${m.color}" stroke-dasharray="6 4" stroke-width="1.5"/>`,
		);
		const right = px > M.left + pw * 0.75;
		parts.push(
			`<text x="${right ? px - 4 : px + 4}" y="${y(m.labelAt)}" font-size="11" text-anchor="${right ? 'end' : 'start'}" fill="${m.color}">${esc(m.label)}</text>`,
		);
	});
	series.forEach((s, i) => {
		const sorted = [...s.values].sort((a, b) => a - b);
		if (sorted.length === 0) return;
		let d = `M ${x(sorted[0])} ${y(0)}`;
		sorted.forEach((v, j) => {
			d += ` L ${x(v)} ${y(j / sorted.length)} L ${x(v)} ${y((j + 1) / sorted.length)}`;
		});
		parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.2"/>`);
		const ly = 70 + i * 18;
		parts.push(`<rect x="${M.left}" y="${ly - 6}" width="18" height="4" fill="${s.color}"/>`);
		parts.push(
			`<text x="${M.left + 24}" y="${ly}" font-size="12" fill="#111">${esc(s.label)}</text>`,
		);
	});
	parts.push('</svg>');
	return parts.join('\n');
}

/** The plot area: value to x, share to y, and its width and height. */
interface Plot {
	x: (v: number) => number;
	y: (p: number) => number;
	pw: number;
	ph: number;
}

/** Grid lines and tick labels for 1-2-5 steps of each decade and the shares, the frame and the axis titles. */
function gridAndAxes({ x, y, pw, ph }: Plot, lo: number, hi: number, xLabel: string): string[] {
	const parts: string[] = [];
	for (let d = Math.log10(lo); d <= Math.log10(hi) + 1e-9; d++) {
		const v = Math.pow(10, d);
		for (const k of [1, 2, 5]) {
			const t = v * k;
			if (t > hi * 1.0001) continue;
			const px = x(t);
			parts.push(
				`<line x1="${px}" y1="${M.top}" x2="${px}" y2="${M.top + ph}" stroke="${k === 1 ? '#ccc' : '#eee'}"/>`,
			);
			parts.push(
				`<text x="${px}" y="${M.top + ph + 18}" font-size="11" text-anchor="middle" fill="#333">${t >= 1 ? t : t.toFixed(1)}</text>`,
			);
		}
	}
	for (const p of [0, 0.25, 0.5, 0.75, 0.95, 1]) {
		parts.push(
			`<line x1="${M.left}" y1="${y(p)}" x2="${M.left + pw}" y2="${y(p)}" stroke="${p === 0.5 || p === 0.95 ? '#bbb' : '#eee'}"/>`,
		);
		parts.push(
			`<text x="${M.left - 8}" y="${y(p) + 4}" font-size="11" text-anchor="end" fill="#333">${Math.round(p * 100)}%</text>`,
		);
	}
	parts.push(
		`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
	);
	parts.push(
		`<text x="${M.left + pw / 2}" y="${H - 24}" font-size="13" text-anchor="middle" fill="#111">${esc(xLabel)}</text>`,
	);
	parts.push(
		`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" font-size="13" text-anchor="middle" fill="#111">share of messages confirmed</text>`,
	);
	return parts;
}

/** Writes the SVG and converts it to PNG; returns the tool used, or null when none is available. */
export function writeChart(svg: string, svgPath: string, pngPath: string): string | null {
	fs.writeFileSync(svgPath, svg);
	const tools: Array<[string, string[]]> = [
		['rsvg-convert', ['-o', pngPath, svgPath]],
		['convert', ['-density', '96', svgPath, pngPath]],
	];
	for (const [cmd, args] of tools) {
		const res = spawnSync(cmd, args, { stdio: 'pipe', timeout: 60_000 });
		if (res.status === 0 && fs.existsSync(pngPath)) return cmd;
	}
	return null;
}
