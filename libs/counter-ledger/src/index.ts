export * from './counter-ledger';
export * from './classified-order';
