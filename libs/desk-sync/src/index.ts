export * from './derive';
export * from './portal-records';
export * from './agency-resolution';
