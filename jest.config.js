/**
 * Two projects: `unit` (pure logic, no server) and `integration` (real Kafka, MongoDB-wire, Redis;
 * started by deploy/local/infra.sh or pointed elsewhere with KAFKA_BROKERS / MONGO_URL / REDIS_URL).
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const moduleNameMapper = {
  // Test helpers of a lib, from its `testing` entry point (left out of the build).
  '^@tthc/counting/testing$': '<rootDir>/libs/counting/testing',
  '^@tthc/(audit|auth|calendar|config|contracts|counter-ledger|counting|dead-letters|desk-sync|http|kafka|observability|persistence|queue|reference|testing|throttle)$':
    '<rootDir>/libs/$1/src',
};
const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/.local'],
};
module.exports = {
  // Hooks of integration tests boot services and wait for Kafka group joins.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools,deploy,test}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools,test}/**/*.int-spec.ts'],
      slowTestThreshold: 30,
    },
  ],
};
