/** An action's answer: the implementation's envelope around the data or the error, and the faults applied. */
import {
	errorBody,
	okBody,
	type ErrorSpec,
	type ImplementationInfo,
	type Reply,
	type Transport,
} from '../implementations';

export interface ActionResult extends Reply {
	faults: string[];
}

export function answerOk(
	f: ImplementationInfo,
	data: unknown,
	faults: string[] = [],
): ActionResult {
	return { httpStatus: 200, body: okBody(f, data), faults };
}

export function answerError(
	f: ImplementationInfo,
	e: ErrorSpec,
	transport: Transport,
	faults: string[] = [],
): ActionResult {
	return { httpStatus: 200, body: errorBody(f, e, transport), faults };
}
