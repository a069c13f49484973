export * from './derive';
export * from './portal-records';
