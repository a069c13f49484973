export * from './shared-token-buckets';
export * from './throttle.module';
export * from './throttle.service';
export * from './token-bucket';
