export * from './access-key';
export * from './dossier-event';
export * from './dossier-fact';
export * from './dossier-outcome';
export * from './reference';
export * from './topic';
export * from './topics';
export * from './partition';
