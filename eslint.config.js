// @ts-check
/**
 * What the linter decides so that reviews talk about design: typescript-eslint's recommended
 * rules, React's rules of hooks, and the layering of src/ (see README "Development"): only
 * src/k8s talks to the Kubernetes API, only src/exec spawns processes, the engine (src/run) knows
 * none of its consumers, the kata model (src/kata) is pure. Import cycles are caught by
 * test/architecture.test.ts. Formatting is Prettier's business (eslint-config-prettier is not
 * needed: no stylistic rule is on here).
 */
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const K8S_CLIENT = { name: '@kubernetes/client-node', message: 'Only src/k8s/ talks to the Kubernetes API: add what you need there.' };
const SPAWNERS = ['execa', 'node:child_process', 'child_process'].map((name) => ({
  name,
  message: 'Only src/exec/ spawns processes: add what you need there.',
}));

/** `no-restricted-imports` with the packages every module but their owner is denied, plus `patterns`. */
const restricted = (paths, patterns = []) => ['error', { paths, patterns }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'lab/go-*/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-control-regex': 'off', // terminals and hex dumps are parsed here on purpose
    },
  },
  {
    files: ['src/**/*.tsx', 'src/ui/hooks/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  { files: ['src/**/*.ts', 'src/**/*.tsx'], rules: { 'no-restricted-imports': restricted([K8S_CLIENT, ...SPAWNERS]) } },
  { files: ['src/k8s/**'], rules: { 'no-restricted-imports': restricted(SPAWNERS) } },
  { files: ['src/exec/**'], rules: { 'no-restricted-imports': restricted([K8S_CLIENT]) } },
  {
    files: ['src/run/**'],
    rules: {
      'no-restricted-imports': restricted(
        [K8S_CLIENT, ...SPAWNERS],
        [
          {
            group: ['**/report/*', '**/ui/*', '**/commands/*', '**/commands/**'],
            message: 'The engine knows none of its consumers: they consume its events (src/run/events.ts).',
          },
        ],
      ),
    },
  },
  {
    files: ['src/kata/**'],
    rules: {
      'no-restricted-imports': restricted(
        [K8S_CLIENT, ...SPAWNERS],
        [
          {
            group: ['**/run/*', '**/k8s/*', '**/exec/*', '**/ui/*', '**/ui/**', '**/report/*', '**/commands/**', '**/checks/*', '**/lab/*'],
            message: 'src/kata/ turns Markdown into the Kata model and nothing else.',
          },
        ],
      ),
    },
  },
  {
    files: ['src/ui/**'],
    rules: {
      'no-restricted-imports': restricted(
        [K8S_CLIENT, ...SPAWNERS],
        [
          {
            group: ['**/k8s/*', '**/commands/**', '**/lab/*'],
            message: 'src/ui/ shows what the engine tells it; the command module wires it.',
          },
          { group: ['**/exec/*'], allowTypeImports: true, message: 'src/ui/ never starts a process: the command module hands it actions.' },
          {
            group: ['**/run/engine.js', '**/run/step-runner.js'],
            message: 'src/ui/ consumes engine events; it does not drive the engine.',
          },
        ],
      ),
    },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**', '*.config.*'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
