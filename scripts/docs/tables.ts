/**
 * The reason-code, diagnosis and restart-outcome tables of the docs, generated from the constants the nodes
 * use (REASON_DESCRIPTIONS, DIAGNOSIS_DESCRIPTIONS, RESTART_OUTCOME_DESCRIPTIONS), so the docs cannot drift.
 *
 * A table sits in a Markdown file between two markers:
 *     <!-- generated:reasons:en -->
 *     ...
 *     <!-- /generated -->
 * `npm run docs` rewrites every such block; test/docs/tables.test.ts fails when one differs.
 *
 * Languages: each is a `DocLanguage` (column headings and the texts keyed by the same codes). English comes
 * from the constants, Chinese from core/descriptions.zh-CN.ts; another language adds its texts keyed by the same
 * codes, a `DocLanguage` here and an entry in LANGUAGES, then uses its code in the markers
 * (`<!-- generated:reasons:zh-CN -->`). A file under docs/ with such markers is listed in GENERATED_FILES.
 */
import { REASON_CLASS, REASON_DESCRIPTIONS } from '../../core/classify';
import { DIAGNOSIS_DESCRIPTIONS, PROBE_DIAGNOSES } from '../../core/probe';
import { RESTART_OUTCOMES, RESTART_OUTCOME_DESCRIPTIONS } from '../../core/restart';
import type { ProbeDiagnosis } from '../../core/probe';
import type { RestartOutcome } from '../../core/restart';
import { REASON_CODES } from '../../core/types';
import {
	DIAGNOSIS_DESCRIPTIONS_ZH_CN,
	REASON_DESCRIPTIONS_ZH_CN,
	RESTART_OUTCOME_DESCRIPTIONS_ZH_CN,
} from '../../core/descriptions.zh-CN';
import type { ReasonClass, ReasonCode } from '../../core/types';

type ProbeState = 'up' | 'degraded' | 'down';

export interface DocLanguage {
	code: string;
	headings: {
		reason: string;
		reasonClass: string;
		diagnosis: string;
		state: string;
		outcome: string;
		meaning: string;
		action: string;
	};
	reasonClasses: Record<ReasonClass, string>;
	states: Record<ProbeState, string>;
	reasons: Record<ReasonCode, { meaning: string; action: string }>;
	diagnoses: Record<ProbeDiagnosis, { meaning: string; action: string }>;
	outcomes: Record<RestartOutcome, { meaning: string; action: string }>;
}

export const english: DocLanguage = {
	code: 'en',
	headings: {
		reason: 'reason',
		reasonClass: 'class',
		diagnosis: 'diagnosis',
		state: 'state',
		outcome: 'outcome',
		meaning: 'meaning',
		action: 'what to do',
	},
	reasonClasses: {
		terminal: 'terminal',
		ambiguous: 'ambiguous',
		transient: 'transient',
		account: 'account',
	},
	states: { up: 'up', degraded: 'degraded', down: 'down' },
	reasons: REASON_DESCRIPTIONS,
	diagnoses: DIAGNOSIS_DESCRIPTIONS,
	outcomes: RESTART_OUTCOME_DESCRIPTIONS,
};

/** Chinese texts from core/descriptions.zh-CN.ts; class, state and code values stay as the output shows them. */
export const chinese: DocLanguage = {
	code: 'zh-CN',
	headings: {
		reason: '原因',
		reasonClass: '类别',
		diagnosis: '诊断',
		state: '状态',
		outcome: '结果',
		meaning: '含义',
		action: '怎么办',
	},
	reasonClasses: english.reasonClasses,
	states: english.states,
	reasons: REASON_DESCRIPTIONS_ZH_CN,
	diagnoses: DIAGNOSIS_DESCRIPTIONS_ZH_CN,
	outcomes: RESTART_OUTCOME_DESCRIPTIONS_ZH_CN,
};

export const LANGUAGES: Record<string, DocLanguage> = { en: english, 'zh-CN': chinese };

/** Registers another language (texts keyed by the same codes). */
export function registerLanguage(language: DocLanguage): void {
	LANGUAGES[language.code] = language;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(headings: string[], rows: string[][]): string {
	return [
		`| ${headings.join(' | ')} |`,
		`|${headings.map(() => '---').join('|')}|`,
		...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
	].join('\n');
}

export const TABLES: Record<string, (language: DocLanguage) => string> = {
	reasons: (l) =>
		table(
			[l.headings.reason, l.headings.reasonClass, l.headings.meaning, l.headings.action],
			REASON_CODES.map((code) => [
				`\`${code}\``,
				l.reasonClasses[REASON_CLASS[code]],
				l.reasons[code].meaning,
				l.reasons[code].action,
			]),
		),
	diagnoses: (l) =>
		table(
			[l.headings.diagnosis, l.headings.state, l.headings.meaning, l.headings.action],
			PROBE_DIAGNOSES.map((code) => [
				`\`${code}\``,
				l.states[DIAGNOSIS_DESCRIPTIONS[code].state as ProbeState] ??
					DIAGNOSIS_DESCRIPTIONS[code].state,
				l.diagnoses[code].meaning,
				l.diagnoses[code].action,
			]),
		),
	outcomes: (l) =>
		table(
			[l.headings.outcome, l.headings.meaning, l.headings.action],
			RESTART_OUTCOMES.map((code) => [
				`\`${code}\``,
				l.outcomes[code].meaning,
				l.outcomes[code].action,
			]),
		),
};

const BLOCK = /(<!-- generated:(\w+):([\w-]+) -->\n)([\s\S]*?)(<!-- \/generated -->)/g;

/** The file's text with every generated block rendered afresh. */
export function renderGenerated(text: string): string {
	return text.replace(
		BLOCK,
		(_whole, open: string, name: string, code: string, _body: string, close: string) => {
			const render = TABLES[name];
			const language = LANGUAGES[code];
			if (!render) throw new Error(`Unknown generated table "${name}"`);
			if (!language) throw new Error(`Unknown documentation language "${code}"`);
			return `${open}${render(language)}\n${close}`;
		},
	);
}

/** The blocks a file holds, as "name:language". */
export function generatedBlocks(text: string): string[] {
	return [...text.matchAll(BLOCK)].map((match) => `${match[2]}:${match[3]}`);
}

/** Files that hold generated tables. */
export const GENERATED_FILES = [
	'docs/nodes/send-with-verification.md',
	'docs/nodes/health-probe.md',
	'docs/nodes/restart-client.md',
	'docs/zh-CN/nodes/send-with-verification.md',
	'docs/zh-CN/nodes/health-probe.md',
	'docs/zh-CN/nodes/restart-client.md',
];
