/** Unit, simulator and node tests. The real-n8n suite runs separately (scripts/test.sh). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
	},
	testTimeout: 30000,
	setupFilesAfterEnv: ['<rootDir>/test/support/resetPacing.ts'],
};
