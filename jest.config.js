// Jest runs the TypeScript sources in ESM mode (NestJS 12 is pure ESM); `tsc -b` does the type checking.
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@wandelwerk/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^@wandelwerk/notifications/testing$': '<rootDir>/apps/notifications/src/testing/receivers.ts',
    '^@wandelwerk/gateway/testing$': '<rootDir>/apps/gateway/src/testing/test-gateway.ts',
    '^@wandelwerk/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
    '^@wandelwerk/(gateway|projects|funding|municipalities|notifications)/blueprint$':
      '<rootDir>/apps/$1/src/$1.blueprint.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.base.json' }] },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  testPathIgnorePatterns: ['/dist/', '/node_modules/'],
  rootDir: '.',
};

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/*/src/**/*.spec.ts'],
      testPathIgnorePatterns: ['/dist/', '/node_modules/', '\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/{apps,libs}/*/src/**/*.int.spec.ts',
        '<rootDir>/{apps,libs}/*/src/**/*.e2e.spec.ts',
        '<rootDir>/e2e/**/*.e2e.spec.ts',
      ],
      slowTestThreshold: 30,
    },
    {
      ...shared,
      // The platform as processes on private servers while faults are injected (e2e/faults, `npm run test:faults`).
      displayName: 'faults',
      testMatch: ['<rootDir>/e2e/faults/**/*.faults.spec.ts'],
      slowTestThreshold: 240,
    },
  ],
};
