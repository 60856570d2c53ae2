import type { KernelProof } from './types';

/**
 * What a send proves on an implementation without a QQNT kernel (go-cqhttp over MiraiGo, Lagrange.Core, an
 * unknown one): an ok answer is "API accepted", and a self message is the server's echo, not a kernel's
 * confirmation (docs/compatibility.md, table 'Kernel confirmation'). `source` names where the ok answer is made.
 */
export function noKernelProof(source: string): KernelProof {
	return { okAnswer: false, selfMessage: false, selfMessageSince: null, source };
}
