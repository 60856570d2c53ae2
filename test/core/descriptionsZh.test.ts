import { REASON_CLASS, REASON_DESCRIPTIONS } from '../../core/classify';
import {
	DIAGNOSIS_DESCRIPTIONS_ZH_CN,
	REASON_DESCRIPTIONS_ZH_CN,
	RESTART_OUTCOME_DESCRIPTIONS_ZH_CN,
} from '../../core/descriptions.zh-CN';
import { DIAGNOSIS_DESCRIPTIONS, PROBE_DIAGNOSES } from '../../core/probe';
import { RESTART_OUTCOMES, RESTART_OUTCOME_DESCRIPTIONS } from '../../core/restart/outcomes';

const HAN = /[\u4e00-\u9fff]/;

describe.each([
	['reason codes', Object.keys(REASON_CLASS), REASON_DESCRIPTIONS, REASON_DESCRIPTIONS_ZH_CN],
	['probe diagnoses', [...PROBE_DIAGNOSES], DIAGNOSIS_DESCRIPTIONS, DIAGNOSIS_DESCRIPTIONS_ZH_CN],
	[
		'restart outcomes',
		[...RESTART_OUTCOMES],
		RESTART_OUTCOME_DESCRIPTIONS,
		RESTART_OUTCOME_DESCRIPTIONS_ZH_CN,
	],
] as Array<
	[string, string[], Record<string, Record<string, string>>, Record<string, Record<string, string>>]
>)('%s in English and Chinese', (_name, codes, english, chinese) => {
	it('cover exactly the same codes, every code the core can produce', () => {
		expect(Object.keys(english).sort()).toEqual([...codes].sort());
		expect(Object.keys(chinese).sort()).toEqual([...codes].sort());
	});

	it.each(codes)('%s: the Chinese entry has the same fields, each written in Chinese', (code) => {
		expect(Object.keys(chinese[code]).sort()).toEqual(Object.keys(english[code]).sort());
		for (const [field, text] of Object.entries(chinese[code])) {
			expect({ field, chinese: HAN.test(text) }).toEqual({ field, chinese: true });
		}
	});
});
