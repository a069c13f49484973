export * from './mongo-health';
export * from './persistence.module';
export * from './newest-versions';
export * from './duplicate-key';
export * from './canonical-json';
export * from './pages-of';
