export * from './classify';
export * from './contribution';
export * from './counter-ledger';
export * from './counters';
export * from './period-figures';
export * from './policies';
export * from './classified-order';
