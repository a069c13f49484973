export * from './audit-entry';
export * from './audit-log';
export * from './audit.controller';
export * from './audit.interceptor';
export * from './audit.module';
