export * from './agency-tree';
export * from './reference-data';
export * from './reference.controller';
export * from './reference.module';
