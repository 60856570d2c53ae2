/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test tooling, runs outside n8n */
/**
 * The node guides (docs/nodes/*.md and docs/zh-CN/nodes/*.md) against the code: every parameter a guide's
 * parameter table names exists in the node's description, with the default the guide gives, and an options
 * parameter's row lists every option; the evidence bases and verification levels the Send guide lists are
 * the code's; the Health Probe's "decided when" table is in the code's order. The generated reason,
 * diagnosis and outcome tables are checked by tables.test.ts.
 */
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { sendWithVerificationProperties } from '../../nodes/OneBotSendWithVerification/description';
import { healthProbeProperties } from '../../nodes/OneBotHealthProbe/description';
import { restartClientProperties } from '../../nodes/OneBotRestartClient/description';
import { deliveryFailureTriggerProperties } from '../../nodes/OneBotDeliveryFailureTrigger/description';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

const GUIDES: Record<string, INodeProperties[]> = {
	'send-with-verification.md': sendWithVerificationProperties,
	'health-probe.md': healthProbeProperties,
	'restart-client.md': restartClientProperties,
	'delivery-failure-trigger.md': deliveryFailureTriggerProperties,
};
const LANGUAGE_DIRS = ['docs/nodes', 'docs/zh-CN/nodes'];

/** Every markdown table of a text: header cells and rows of cells (outer pipes removed; `\|` kept). */
function tables(text: string): Array<{ header: string[]; rows: string[][] }> {
	const split = (line: string) =>
		line
			.trim()
			.replace(/^\||\|$/g, '')
			.split(/(?<!\\)\|/)
			.map((cell) => cell.trim());
	const out: Array<{ header: string[]; rows: string[][] }> = [];
	const lines = text.split('\n');
	for (let i = 0; i + 1 < lines.length; i++) {
		if (!lines[i].trim().startsWith('|') || !/^\|\s*-{3}/.test(lines[i + 1].trim())) continue;
		const table = { header: split(lines[i]), rows: [] as string[][] };
		for (i += 2; i < lines.length && lines[i].trim().startsWith('|'); i++)
			table.rows.push(split(lines[i]));
		out.push(table);
	}
	return out;
}

const isOptions = (p: INodeProperties) => p.type === 'options' || p.type === 'multiOptions';
const choices = (p: INodeProperties) => (p.options ?? []) as INodePropertyOptions[];

/** The property a table cell names: `a` / `a.b` (parameter names) or "Label" / "Options → Label" (editor labels). */
function resolve(properties: INodeProperties[], ref: string): INodeProperties | undefined {
	const byName = /^`([\w.]+)`$/.exec(ref);
	if (byName) {
		const [top, member] = byName[1].split('.');
		const parent = properties.find((p) => p.name === top && p.type !== 'hidden');
		return member
			? (parent?.options as INodeProperties[] | undefined)?.find((o) => o.name === member)
			: parent;
	}
	const [first, second] = ref.split(/\s*→\s*/);
	// A hidden twin (same label, shown for another method) is not what the editor shows.
	const parent = properties.find((p) => p.displayName === first && p.type !== 'hidden');
	return second
		? (parent?.options as INodeProperties[] | undefined)?.find((o) => o.displayName === second)
		: parent;
}

const ON = ['on', 'true', '开', '开启', '是'];
const OFF = ['off', 'false', '关', '关闭', '否'];

/** Why `cell` is not the property's default, or null (cells in free words, e.g. "all four", are not checked). */
function defaultProblem(property: INodeProperties, cell: string): string | null {
	const text = cell.replace(/`/g, '').trim();
	const wanted = property.default;
	if (text === '') return null;
	if (typeof wanted === 'number') {
		if (!/^-?\d+(\.\d+)?$/.test(text)) return null;
		return Number(text) === wanted ? null : `default ${text}, the code says ${wanted}`;
	}
	if (typeof wanted === 'boolean') {
		const said = ON.includes(text) ? true : OFF.includes(text) ? false : undefined;
		if (said === undefined) return null;
		return said === wanted ? null : `default ${text}, the code says ${String(wanted)}`;
	}
	if (property.type === 'options') {
		const named = choices(property).find((o) => o.name === text || o.value === text);
		if (!named) return null;
		return named.value === wanted ? null : `default ${text}, the code says ${String(wanted)}`;
	}
	if (typeof wanted === 'string' && /^`.*`$/.test(cell.trim()))
		return text === wanted ? null : `default "${text}", the code says "${wanted}"`;
	return null;
}

/** Problems of one guide's parameter tables (header: parameter/name/参数, default/默认值). */
export function parameterTableProblems(text: string, properties: INodeProperties[]): string[] {
	const problems: string[] = [];
	for (const table of tables(text)) {
		const [first, second] = table.header.map((cell) => cell.toLowerCase());
		if (!['parameter', 'name', '参数'].includes(first) || !['default', '默认值'].includes(second))
			continue;
		for (const [refCell, defaultCell = '', meaning = ''] of table.rows) {
			const refs = refCell.split(/\s+\/\s+/).map((ref) => ref.trim());
			const defaults = defaultCell.split(/\s+\/\s+/);
			refs.forEach((ref, i) => {
				const property = resolve(properties, ref);
				if (!property) {
					problems.push(`"${ref}": no such parameter`);
					return;
				}
				const problem = defaultProblem(
					property,
					defaults.length === refs.length ? defaults[i] : defaultCell,
				);
				if (problem) problems.push(`"${ref}": ${problem}`);
				if (isOptions(property)) {
					// An option counts as listed by its value or its label (without a parenthesis), any case.
					const row = `${defaultCell} ${meaning}`.replace(/`/g, '').toLowerCase();
					for (const option of choices(property)) {
						const label = option.name.replace(/\s*\(.*\)$/, '').toLowerCase();
						if (!row.includes(String(option.value).toLowerCase()) && !row.includes(label))
							problems.push(`"${ref}": does not list the option ${option.name}`);
					}
				}
			});
		}
	}
	return problems;
}

/** The values a source file's object literal `const NAME ... = { key: 'value', ... }` holds. */
function literalValues(source: string, name: string): string[] {
	const body = new RegExp(`const ${name}[^=]*=\\s*\\{([^}]*)\\}`).exec(source)?.[1] ?? '';
	return [...body.matchAll(/:\s*'([a-z_]+)'/g)].map((m) => m[1]);
}

/** Problems of the Send guide's lists of evidence bases and verification levels. */
export function sendListProblems(text: string, deliverSource: string): string[] {
	const problems: string[] = [];
	const bases = [...literalValues(deliverSource, 'BASIS'), 'landed_after_check'];
	const basisList = /`basis`\s*[(（]([^)）]*)[)）]/.exec(text)?.[1];
	if (!basisList) problems.push('no `basis` (...) list');
	else
		for (const basis of bases)
			if (!basisList.includes(`\`${basis}\``)) problems.push(`basis list lacks ${basis}`);
	const levels = choices(sendWithVerificationProperties.find((p) => p.name === 'verification')!);
	for (const table of tables(text)) {
		const row = table.rows.find((cells) => cells[0] === '`verification`');
		if (!row || table.header[0].toLowerCase() !== 'field') continue;
		for (const level of levels)
			if (!row[1].includes(`\`${String(level.value)}\``))
				problems.push(`output field verification lacks ${String(level.value)}`);
	}
	return problems;
}

/** The (diagnosis, state) pairs in the order the probe decides them, read from its source. */
function codeDiagnosisOrder(): string[] {
	const files = readdirSync(join(root, 'core'), { recursive: true }) as string[];
	for (const file of files.filter((f) => f.endsWith('.ts'))) {
		const source = read(join('core', file));
		if (!source.includes("'self_events_unavailable',") || !source.includes('verdict(')) continue;
		return [...source.matchAll(/verdict\(\s*'(\w+)',\s*'(\w+)'/g)].map((m) => `${m[2]} (${m[1]})`);
	}
	throw new Error('no diagnosis function found under core/');
}

/** The order a guide's "decided when" table gives, as `diagnosis (state)`. */
export function guideDiagnosisOrder(text: string): string[] {
	const table = tables(text).find((t) => /decided when|判定条件/.test(t.header[1] ?? ''));
	return (table?.rows ?? []).map((cells) => cells[0].replace(/`/g, ''));
}

describe('node guides match the node descriptions', () => {
	const cases = LANGUAGE_DIRS.flatMap((dir) =>
		Object.keys(GUIDES).map((file) => [`${dir}/${file}`, GUIDES[file]] as const),
	);

	test.each(cases)('%s: parameter names, defaults and options', (file, properties) => {
		expect(parameterTableProblems(read(file), properties)).toEqual([]);
	});

	test.each(cases)('%s has a parameter table', (file) => {
		const headers = tables(read(file)).map((t) => t.header.slice(0, 2).join('|').toLowerCase());
		expect(headers.some((h) => /^(parameter|name|参数)\|(default|默认值)$/.test(h))).toBe(true);
	});

	test.each(LANGUAGE_DIRS)(
		'%s/send-with-verification.md lists every evidence basis and level',
		(dir) => {
			const text = read(`${dir}/send-with-verification.md`);
			expect(sendListProblems(text, read('core/delivery/judge.ts'))).toEqual([]);
		},
	);

	test.each(LANGUAGE_DIRS)('%s/health-probe.md decides diagnoses in the code’s order', (dir) => {
		expect(guideDiagnosisOrder(read(`${dir}/health-probe.md`))).toEqual(codeDiagnosisOrder());
	});

	test('an injected wrong default, a missing option or a missing basis is caught', () => {
		const send = read('docs/nodes/send-with-verification.md');
		const wrongDefault = send.replace(
			'| `deadlineSeconds` | `30` |',
			'| `deadlineSeconds` | `45` |',
		);
		expect(wrongDefault).not.toBe(send);
		expect(parameterTableProblems(wrongDefault, sendWithVerificationProperties)).toEqual([
			'"`deadlineSeconds`": default 45, the code says 30',
		]);
		const noKernel = send.replace('`kernel` (Kernel Confirmed: one account, see above), ', '');
		expect(noKernel).not.toBe(send);
		expect(parameterTableProblems(noKernel, sendWithVerificationProperties)).toEqual([
			'"`verification`": does not list the option Kernel Confirmed',
		]);
		const unknown = send.replace('`options.minIntervalMs`', '`options.minimumIntervalMs`');
		expect(parameterTableProblems(unknown, sendWithVerificationProperties)).toEqual([
			'"`options.minimumIntervalMs`": no such parameter',
		]);
		const noBasis = send.replace('`kernel_confirmed`, ', '');
		expect(noBasis).not.toBe(send);
		expect(sendListProblems(noBasis, read('core/delivery/judge.ts'))).toEqual([
			'basis list lacks kernel_confirmed',
		]);
		const probe = read('docs/nodes/health-probe.md');
		const reordered = probe.replace(
			/(\| `offline` \(down\) \| `get_login_info`[^\n]*\n)(\| `api_error` \(down\)[^\n]*\n)/,
			'$2$1',
		);
		expect(reordered).not.toBe(probe);
		expect(guideDiagnosisOrder(reordered)).not.toEqual(codeDiagnosisOrder());
	});
});
