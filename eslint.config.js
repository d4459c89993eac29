// Flat config: type-aware rules for all TypeScript, an import-cycle rule, and the architecture rule that an app
// never imports another app (shared code belongs in libs/).
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const APPS = ['gateway', 'projects', 'funding', 'municipalities', 'notifications'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      '.nx/**',
      '.wandelwerk/**',
      'scripts/**',
      '*.js',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      'import-x/no-self-import': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/apps/**', ...APPS.map((a) => `@wandelwerk/${a}`)],
              message: 'An app never imports another app: move shared code to libs/.',
            },
          ],
        },
      ],
    },
  },
  ...APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...APPS.filter((a) => a !== app).map((a) => `@wandelwerk/${a}`),
                ...APPS.filter((a) => a !== app).map((a) => `**/${a}/src/**`),
              ],
              message: 'An app never imports another app: move shared code to libs/.',
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/apps/**', ...APPS.map((a) => `@wandelwerk/${a}`)],
              message: 'A library never imports an app.',
            },
          ],
        },
      ],
    },
  },
  {
    // End-to-end tests and benchmarks put the apps together as `npm start` does, through their published blueprints.
    files: ['e2e/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Tests may assert on loosely typed values.
    files: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
