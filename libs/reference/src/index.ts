export * from './agency-tree';
export * from './reference-data';
export * from './reference.handlers';
export * from './reference.module';
