export * from './auth-failures';
export * from './auth.guard';
export * from './auth.module';
export * from './key-records';
export * from './principal';
