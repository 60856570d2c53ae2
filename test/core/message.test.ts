import {
	InputError,
	MAX_QQ_ID,
	buildMessage,
	escapeCq,
	escapeCqParam,
	normaliseForMatch,
	parseCqString,
	parseTargetId,
	segmentsToCqString,
	unescapeCq,
} from '../../core/message';

describe('buildMessage: text', () => {
	test('[CQ:at,qq=all] typed by a user stays literal text, never a mention', () => {
		expect(buildMessage({ mode: 'text', content: '[CQ:at,qq=all] 开会了' })).toEqual([
			{ type: 'text', data: { text: '[CQ:at,qq=all] 开会了' } },
		]);
	});

	test('entities are not decoded either', () => {
		expect(buildMessage({ mode: 'text', content: '&#91;x&#93; &amp;' })).toEqual([
			{ type: 'text', data: { text: '&#91;x&#93; &amp;' } },
		]);
	});

	test.each(['', '   \n'])('an empty message (%j) is refused', (content) => {
		expect(() => buildMessage({ mode: 'text', content })).toThrow(
			new InputError('The message is empty', 'message'),
		);
	});
});

describe('buildMessage: segments', () => {
	test('an array of segments as JSON', () => {
		const content = '[{"type":"at","data":{"qq":"10001"}},{"type":"text","data":{"text":" hi"}}]';
		expect(buildMessage({ mode: 'segments', content })).toEqual([
			{ type: 'at', data: { qq: '10001' } },
			{ type: 'text', data: { text: ' hi' } },
		]);
	});

	test('one segment object', () => {
		expect(
			buildMessage({ mode: 'segments', content: { type: 'face', data: { id: '14' } } }),
		).toEqual([{ type: 'face', data: { id: '14' } }]);
	});

	test('a malformed segment is named by its index', () => {
		expect(() =>
			buildMessage({
				mode: 'segments',
				content: [{ type: 'text', data: { text: 'a' } }, { data: {} }],
			}),
		).toThrow(/Malformed segment at index 1: "type"/);
		expect(() =>
			buildMessage({ mode: 'segments', content: [{ type: 'text', data: 'x' }] }),
		).toThrow(/index 0: "data" must be an object/);
		expect(() => buildMessage({ mode: 'segments', content: [{ type: 'text', data: {} }] })).toThrow(
			/index 0: a text segment needs/,
		);
		expect(() => buildMessage({ mode: 'segments', content: ['hello'] })).toThrow(
			/Malformed segment at index 0/,
		);
	});

	test('invalid JSON, an unknown shape and an empty array are refused with clear errors', () => {
		expect(() => buildMessage({ mode: 'segments', content: '[{"type":' })).toThrow(
			/not valid JSON/,
		);
		expect(() => buildMessage({ mode: 'segments', content: 42 })).toThrow(/Unknown message shape/);
		expect(() => buildMessage({ mode: 'segments', content: [] })).toThrow(/empty/);
		expect(() =>
			buildMessage({ mode: 'segments', content: [{ type: 'text', data: { text: ' ' } }] }),
		).toThrow(/empty/);
	});
});

describe('buildMessage: CQ strings', () => {
	test('parses codes and unescapes text and parameters', () => {
		expect(
			buildMessage({
				mode: 'cq',
				content: '[CQ:at,qq=10001] a &#91;b&#93; &amp; [CQ:share,url=http://x/?a=1&#44;2,title=t]',
			}),
		).toEqual([
			{ type: 'at', data: { qq: '10001' } },
			{ type: 'text', data: { text: ' a [b] & ' } },
			{ type: 'share', data: { url: 'http://x/?a=1,2', title: 't' } },
		]);
	});

	test('an unclosed code is an error naming the position', () => {
		expect(() => buildMessage({ mode: 'cq', content: 'hi [CQ:at,qq=1' })).toThrow(
			/position 3: missing "]"/,
		);
	});
});

describe('escaping per spec', () => {
	test('text escapes & [ ]; parameters also ,', () => {
		expect(escapeCq('a&b[c]d,e')).toBe('a&amp;b&#91;c&#93;d,e');
		expect(escapeCqParam('a&b[c]d,e')).toBe('a&amp;b&#91;c&#93;d&#44;e');
	});

	test('unescape reverses both and does not double-decode', () => {
		expect(unescapeCq('a&amp;b&#91;c&#93;d&#44;e')).toBe('a&b[c]d,e');
		expect(unescapeCq('&amp;#91;')).toBe('&#91;');
	});

	test('segments → CQ string → segments round-trips', () => {
		const segments = [
			{ type: 'text', data: { text: '[CQ:at,qq=all] & co, ltd' } },
			{ type: 'image', data: { file: 'https://x/a.png?x=1,2' } },
		];
		const cq = segmentsToCqString(segments);
		expect(cq).toBe(
			'&#91;CQ:at,qq=all&#93; &amp; co, ltd[CQ:image,file=https://x/a.png?x=1&#44;2]',
		);
		expect(parseCqString(cq)).toEqual(segments);
	});
});

describe('normaliseForMatch', () => {
	const sent = buildMessage({ mode: 'text', content: '[CQ:at,qq=all] 今晚 8 点 & 见' });

	test('escaped string form, unescaped array form and single segment compare equal', () => {
		const received = '&#91;CQ:at,qq=all&#93; 今晚 8 点 &amp; 见';
		expect(normaliseForMatch(received)).toBe(normaliseForMatch(sent));
		expect(normaliseForMatch(sent[0])).toBe(normaliseForMatch(sent));
	});

	test('literal brackets never equal a real mention', () => {
		expect(normaliseForMatch('[CQ:at,qq=all] 今晚 8 点 & 见')).not.toBe(normaliseForMatch(sent));
	});

	test('adjacent text segments merge; received extra keys of an at are ignored; keys are sorted', () => {
		const sentSegments = [
			{ type: 'at', data: { qq: 10001 } },
			{ type: 'text', data: { text: ' he' } },
			{ type: 'text', data: { text: 'llo' } },
		];
		const receivedArray = [
			{ type: 'at', data: { qq: '10001', name: '@Alice' } },
			{ type: 'text', data: { text: ' hello' } },
		];
		expect(normaliseForMatch(receivedArray)).toBe(normaliseForMatch(sentSegments));
		expect(normaliseForMatch('[CQ:at,qq=10001,name=@Alice] hello')).toBe(
			normaliseForMatch(sentSegments),
		);
		expect(normaliseForMatch([{ type: 'custom', data: { b: '2', a: '1' } }])).toBe(
			'[CQ:custom,a=1,b=2]',
		);
	});

	test('media compare by type only (file names differ between sender and receiver)', () => {
		expect(normaliseForMatch([{ type: 'image', data: { file: 'https://x/a.png' } }])).toBe(
			normaliseForMatch('[CQ:image,file=ABCDEF.image,url=https://gchat.qpic.cn/x,summary=]'),
		);
	});

	test('different text differs', () => {
		expect(normaliseForMatch('hello')).not.toBe(normaliseForMatch('hello!'));
	});
});

describe('parseTargetId', () => {
	test('accepts integers and numeric strings in range', () => {
		expect(parseTargetId(123456789, 'groupId')).toBe(123456789);
		expect(parseTargetId(' 987654321 ', 'groupId')).toBe(987654321);
		expect(parseTargetId(String(MAX_QQ_ID), 'userId')).toBe(MAX_QQ_ID);
	});

	test.each([
		[0, /between 1 and/],
		[-5, /whole number|positive/],
		[1.5, /whole number/],
		['12a', /positive whole number/],
		['', /required/],
		[undefined, /required/],
		[String(MAX_QQ_ID + 1), /between 1 and 4294967295/],
	])('refuses %j', (value, message) => {
		let error: unknown;
		try {
			parseTargetId(value, 'groupId');
		} catch (caught) {
			error = caught;
		}
		expect(error).toBeInstanceOf(InputError);
		expect((error as InputError).field).toBe('groupId');
		expect((error as InputError).message).toMatch(/^groupId /);
		expect((error as InputError).message).toMatch(message);
	});
});
