export * from './oracle';
