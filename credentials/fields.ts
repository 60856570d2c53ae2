import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialTestRequest,
	INodeProperties,
} from 'n8n-workflow';

/**
 * What the credentials share: their field shapes, the Authorization header n8n adds for them, and the
 * test request against their base URL. Each credential class keeps its own name, display name, icon and
 * documentation link in the class, where n8n and its linter read them.
 */

/** A required URL field whose example address is also its default (the address most setups use). */
export function urlField(
	name: string,
	displayName: string,
	example: string,
	description: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		default: example,
		placeholder: example,
		required: true,
		description,
	};
}

/** A text field, empty unless set. */
export function textField(
	name: string,
	displayName: string,
	placeholder: string,
	description: string,
	options: { required?: boolean } = {},
): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		default: '',
		placeholder,
		...(options.required === undefined ? {} : { required: options.required }),
		description,
	};
}

/** A secret: shown as a password field, empty unless set. */
export function secretField(
	name: string,
	displayName: string,
	description: string,
	options: { required?: boolean; placeholder?: string } = {},
): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		typeOptions: { password: true },
		default: '',
		...(options.placeholder === undefined ? {} : { placeholder: options.placeholder }),
		...(options.required === undefined ? {} : { required: options.required }),
		description,
	};
}

/** n8n adds this Authorization header to every request made with the credential (an expression). */
export function authorizationHeader(value: string): IAuthenticateGeneric {
	return { type: 'generic', properties: { headers: { Authorization: value } } };
}

/** The credential's `baseUrl` without trailing slashes, as n8n's credential test evaluates it. */
const TRIMMED_BASE_URL = '={{$credentials.baseUrl.replace(/\\/+$/, "")}}';

/** A credential test: one request to `url` below the credential's base URL, failed by HTTP status. */
export function baseUrlTest(
	method: 'GET' | 'POST',
	url: string,
	body?: Record<string, string>,
): ICredentialTestRequest['request'] {
	return { baseURL: TRIMMED_BASE_URL, url, method, ...(body === undefined ? {} : { body }) };
}

/** A test rule that fails the test when the answer's `key` is `value`, with what to check. */
export function failWhenBody(
	key: string,
	value: string | number,
	message: string,
): IAuthenticateRuleResponseSuccessBody {
	return { type: 'responseSuccessBody', properties: { key, value, message } };
}
