import nx from '@nx/eslint-plugin';

// The architecture, as tags: domain logic never reaches for an adapter; adapters implement
// ports; only the composition layer and apps choose adapters.
const depConstraints = [
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:port', onlyDependOnLibsWithTags: ['type:port', 'type:util', 'type:domain'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:port', 'type:util'] },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:port', 'type:domain', 'type:util'] },
  {
    sourceTag: 'type:composition',
    onlyDependOnLibsWithTags: ['type:composition', 'type:adapter', 'type:port', 'type:domain', 'type:util'],
  },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:composition', 'type:adapter', 'type:port', 'type:domain', 'type:util'],
  },
  // The typed client service teams embed: contracts and nothing of Arbiter's insides.
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:domain', 'type:util'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['*'] },
];

// Specifications may exercise a domain lib against a real adapter (never the reverse in source).
const specDepConstraints = depConstraints.map((c) =>
  c.sourceTag === 'type:util' || c.sourceTag === 'type:e2e'
    ? c
    : { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:adapter'] },
);

const boundaries = (constraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints: constraints },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/data', '**/tmp', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(depConstraints),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Strict null checks already apply; the remaining assertions mark invariants the code just established.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['**/*.spec.ts'], rules: { '@nx/enforce-module-boundaries': boundaries(specDepConstraints) } },
];
