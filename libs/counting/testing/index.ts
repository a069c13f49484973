/**
 * @tthc/counting/testing — test helpers of the counting rules, for the tests of every package
 * (never imported by production code, and left out of the build): random dossier snapshots and
 * docs/counting-rules.md read literally, dossier by dossier.
 */
export * from './figures';
