export * from './classify';
export * from './contribution';
export * from './counters';
export * from './due-rules';
export * from './event-order';
export * from './period-figures';
export * from './policies';
