export * from './queue-definition';
export * from './queue-handler';
export * from './queue-port';
export * from './queue.module';
export * from './queue.service';
