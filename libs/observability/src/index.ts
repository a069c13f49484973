export * from './health';
export * from './metrics';
export * from './observability.controller';
export * from './observability.module';
