// Flat ESLint config: typed rules everywhere, plus the dependency rule that keeps domain/ pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layersOutsideDomain = ['infra', 'commands', 'projections', 'read-api'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', '.data/**', 'bin/**', 'models/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
    },
  },
  {
    // Dependency rule: the domain is pure decision logic. It imports nothing of ours outside domain/
    // and no Node built-ins (no clock, no I/O).
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*'], message: 'domain/ must not import Node built-ins: pass I/O and time in as data.' },
          ...layersOutsideDomain.map((layer) => ({
            group: [`**/${layer}/**`, `**/${layer}`],
            message: `domain/ must not import from ${layer}/: dependencies point inward.`,
          })),
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'domain/ reads no environment.' },
        { name: 'setTimeout', message: 'domain/ has no clock.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'domain/ gets now as data.' },
        { object: 'Math', property: 'random', message: 'domain/ is deterministic.' },
      ],
    },
  },
  {
    // read-api serves read models only; it never touches the write side or the event store. One exception:
    // compliance's audit API (read-api/audit/) asks the event store what it recorded, through the port made
    // for that, domain/ports/audit-reader.ts (implemented in commands/compliance, wired in infra/runtime).
    files: ['read-api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/commands/**'], message: 'read-api/ reads read models only.' },
        {
          group: ['**/domain/ports/event-store', '**/domain/ports/event-store.ts', '**/infra/event-store/**', '**/infra/event-store'],
          message: 'read-api/ reads read models only; the event store only through the audit port, domain/ports/audit-reader.ts (the one exception, for compliance).',
        },
      ] }],
    },
  },
  {
    // Browser scripts served as they are (GraphiQL's glue): plain JS, no type information, browser globals.
    files: ['read-api/graphiql/static/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'script',
      parserOptions: { projectService: false },
      globals: { window: 'readonly', document: 'readonly', URL: 'readonly', URLSearchParams: 'readonly' },
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
